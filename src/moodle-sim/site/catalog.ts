import { IdSequence } from '../id-sequence';
import type { SimCourse } from '../records';
import type { CourseChanges, CourseInput } from '../site-inputs';
import type { SiteChanges } from './changes';
import { ContentIds, CourseContents } from './course-contents';
import { PerCourse } from './per-course';
import { NONE } from './shared-empty-list';

/** The front page course id on every normal install. */
export const SITE_COURSE_ID = 1;

/**
 * How the token user fares in one course: `notenrolled` = cannot enter it
 * (requireloginerror / errorcoursecontextnotvalid), `nogradeaccess` = may
 * enter but not read other users' grades (nopermissiontoviewgrades).
 */
export type CourseAccess = 'granted' | 'notenrolled' | 'nogradeaccess';

/** Moodle's column sizes (course.fullname, course.shortname). */
const MAX_FULLNAME_LENGTH = 254;
const MAX_SHORTNAME_LENGTH = 255;

/** A course Moodle would refuse to create; its message is for the person who asked for it. */
export class CourseInputError extends Error {
  override readonly name = 'CourseInputError';
}

interface CatalogEntry {
  course: SimCourse;
  contents: CourseContents;
  /** A flag, not a removal, so that restoreCourse brings back the course with its grades and enrolments. */
  deleted: boolean;
  access: CourseAccess;
}

/** The site's courses, front page included, and what each one holds. */
export class Catalog {
  private readonly entries = new PerCourse<CatalogEntry>();
  private readonly courseIds = new IdSequence(2);
  private readonly contentIds: ContentIds;

  constructor(
    contextIds: IdSequence,
    private readonly now: () => number,
    private readonly changes: SiteChanges,
  ) {
    this.contentIds = new ContentIds(contextIds);
  }

  /** The course and its sections; SiteModel opens its gradebook and enrolment list. */
  addCourse(input: CourseInput): SimCourse {
    this.checkNewCourse(input);
    const format = input.format ?? 'topics';
    const created = input.timecreated ?? this.now();
    const course: SimCourse = {
      id: format === 'site' ? SITE_COURSE_ID : this.courseIds.take(input.id),
      shortname: input.shortname,
      fullname: input.fullname,
      idnumber: input.idnumber ?? '',
      categoryid: format === 'site' ? 0 : (input.categoryid ?? 1),
      categorysortorder: input.categorysortorder ?? 10_000,
      summary: input.summary ?? '',
      format,
      startdate: input.startdate ?? (format === 'site' ? 0 : created),
      enddate: input.enddate ?? 0,
      visible: input.visible ?? true,
      groupmode: input.groupmode ?? 0,
      hiddensections: input.hiddensections ?? 1,
      newsitems: input.newsitems ?? 5,
      enablecompletion: input.enablecompletion ?? format !== 'site',
      timecreated: created,
      timemodified: input.timemodified ?? created,
      contextid: this.contentIds.context.take(input.contextid),
      customfields: input.customfields ?? NONE,
      groups: input.groups ?? NONE,
      reportShowsGrades: true,
    };
    const contents = new CourseContents(course, this.contentIds, this.changes, input.sections);
    this.entries.add(course.id, { course, contents, deleted: false, access: 'granted' });
    return course;
  }

  private checkNewCourse(input: CourseInput): void {
    if (input.id !== undefined && this.entries.has(input.id)) throw new CourseInputError(`course ${input.id} exists`);
    if (((input.format ?? 'topics') === 'site') !== (input.id === SITE_COURSE_ID)) {
      throw new CourseInputError(`the front page is course ${SITE_COURSE_ID} and the only course with format "site"`);
    }
    for (const [field, value, maxLength] of [
      ['full name', input.fullname, MAX_FULLNAME_LENGTH],
      ['short name', input.shortname, MAX_SHORTNAME_LENGTH],
    ] as const) {
      if (value.trim() === '') throw new CourseInputError(`a course needs a ${field}`);
      if (value.length > maxLength) {
        throw new CourseInputError(`the ${field} is ${value.length} characters long; Moodle allows ${maxLength}`);
      }
    }
    // Moodle's shortnametaken: short names identify courses to people, so no two existing courses share one.
    for (const entry of this.entries.values()) {
      if (!entry.deleted && entry.course.shortname === input.shortname) {
        throw new CourseInputError(`the short name "${input.shortname}" is already used by course ${entry.course.id}`);
      }
    }
  }

  /**
   * Ids up to `courseId` are never given to a new course: Moodle never reuses one, and a simulator that
   * starts afresh must not hand out again an id a client already saw.
   */
  reserveCourseIds(courseId: number): void {
    this.courseIds.skipPast(courseId);
  }

  updateCourse(courseId: number, changes: CourseChanges): SimCourse {
    const { course } = this.entries.of(courseId);
    Object.assign(course, changes, { timemodified: this.now() });
    this.changes.tell({ kind: 'course-updated', courseId, fields: { ...changes } });
    return course;
  }

  /** The course vanishes from listings; per-course calls answer invalidrecord (table course). */
  deleteCourse(courseId: number): void {
    if (courseId === SITE_COURSE_ID) throw new Error('the front page cannot be deleted');
    this.setDeleted(courseId, true);
  }

  /** Undoes deleteCourse (Moodle would restore under a new id; keeping it makes tests simpler). */
  restoreCourse(courseId: number): void {
    this.setDeleted(courseId, false);
  }

  /** Told only when it changes: Moodle cannot delete a deleted course, nor restore an existing one. */
  private setDeleted(courseId: number, deleted: boolean): void {
    const entry = this.entries.of(courseId);
    if (entry.deleted === deleted) return;
    entry.deleted = deleted;
    this.changes.tell({ kind: deleted ? 'course-deleted' : 'course-restored', courseId });
  }

  isCourseDeleted(courseId: number): boolean {
    return this.entries.of(courseId).deleted;
  }

  hasCourse(courseId: number): boolean {
    return this.entries.has(courseId);
  }

  /** Existing (not deleted) courses by id, the front page included, as core_course_get_courses lists them. */
  courses(): SimCourse[] {
    return [...this.entries.values()]
      .filter((entry) => !entry.deleted)
      .map((entry) => entry.course)
      .sort((a, b) => a.id - b.id);
  }

  /** Any course ever added, deleted ones included. */
  course(courseId: number): SimCourse {
    return this.entries.of(courseId).course;
  }

  contents(courseId: number): CourseContents {
    return this.entries.of(courseId).contents;
  }

  setCourseAccess(courseId: number, access: CourseAccess): void {
    this.entries.of(courseId).access = access;
  }

  courseAccess(courseId: number): CourseAccess {
    return this.entries.of(courseId).access;
  }

  /** Course user-report setting "Show grade": off removes graderaw and the grade* fields. */
  setShowGrades(courseId: number, show: boolean): void {
    this.entries.of(courseId).course.reportShowsGrades = show;
  }
}
