import { Gradebook } from '../gradebook';
import { IdSequence } from '../id-sequence';
import { MODULE_KINDS } from '../module-kinds';
import type { GradeCell, SimGradeCategory, SimGradeItem, SimModule } from '../records';
import { SeededGrades, type SeedPlan } from '../seeded-grades';
import type { CourseInput, GradeCategoryInput, GradeItemInput, ManualItemInput } from '../site-inputs';
import type { SiteChanges } from './changes';
import { PerCourse } from './per-course';
import type { UserDirectory } from './users';

/** A teacher grading in the activity; `itemNumber` picks one of several items (workshop: 1 = assessment). */
export interface GradeOptions {
  feedback?: string;
  itemNumber?: number;
}

type NewGradeItem = GradeItemInput &
  Pick<SimGradeItem, 'itemtype'> &
  Partial<Pick<SimGradeItem, 'itemmodule' | 'iteminstance' | 'cmid'>>;

/**
 * Every course's gradebook, and grading as a teacher does it: grades are
 * dated with the site clock and checked against the item's range, because a
 * grade Moodle would refuse must not reach the sync in a test.
 */
export class Gradebooks {
  private readonly byCourse = new PerCourse<Gradebook>();
  private readonly itemIds = new IdSequence(1);
  private readonly categoryIds = new IdSequence(1);

  constructor(
    private readonly users: UserDirectory,
    private readonly now: () => number,
    private readonly changes: SiteChanges,
  ) {}

  /** A new course's gradebook: its top category and the course total, nothing else. */
  open(courseId: number, ids: Pick<CourseInput, 'gradeCategoryId' | 'courseTotalItemId'>): void {
    const topCategoryId = this.categoryIds.take(ids.gradeCategoryId);
    const courseTotal = this.newItem(
      { id: ids.courseTotalItemId, itemtype: 'course', iteminstance: topCategoryId },
      null,
    );
    const gradeChanged = (itemId: number, userId: number) =>
      this.changes.tell({ kind: 'grade', courseId, itemId, userId });
    this.byCourse.add(courseId, new Gradebook(topCategoryId, courseTotal, gradeChanged));
  }

  of(courseId: number): Gradebook {
    return this.byCourse.of(courseId);
  }

  /** Added after the module exists: the items point back to it by cmid and instance. */
  addActivityItems(module: SimModule, inputs: readonly GradeItemInput[]): void {
    const gradebook = this.of(module.course);
    inputs.forEach((input, position) => {
      const item = this.newItem(
        {
          ...input,
          itemtype: 'mod',
          itemname: input.itemname ?? module.name,
          itemmodule: module.modname,
          iteminstance: module.instance,
          itemnumber: input.itemnumber ?? position,
          cmid: module.id,
        },
        input.categoryid ?? gradebook.top.id,
      );
      gradebook.addItem(item);
    });
  }

  addCategory(courseId: number, input: GradeCategoryInput): SimGradeCategory {
    const gradebook = this.of(courseId);
    const categoryId = this.categoryIds.take(input.id);
    const total = this.newItem({ id: input.totalItemId, itemtype: 'category', iteminstance: categoryId }, null);
    return gradebook.addCategory(input.parent ?? gradebook.top.id, categoryId, total);
  }

  addManualItem(courseId: number, input: ManualItemInput): SimGradeItem {
    const gradebook = this.of(courseId);
    const item = this.newItem({ ...input, itemtype: 'manual' }, input.categoryid ?? gradebook.top.id);
    gradebook.addItem(item);
    return item;
  }

  /** Lets a generated course compute its grades on demand (see SeededGrades). */
  seed(courseId: number, plan: SeedPlan): void {
    const gradebook = this.of(courseId);
    gradebook.useSeededGrades(new SeededGrades(plan, gradebook.gradedItems()));
  }

  /**
   * Sets (or with null removes) the grade an activity gave a student, as if a
   * teacher graded in the activity: dated now, feedback kept unless replaced.
   */
  grade(courseId: number, userId: number, cmid: number, value: number | null, opts: GradeOptions = {}): void {
    const gradebook = this.of(courseId);
    const item = this.activityItem(courseId, cmid, opts.itemNumber ?? 0);
    this.users.require(userId);
    if (value === null) {
      gradebook.setActivityGrade(item.id, userId, null);
      return;
    }
    requireGradeInRange(item, value);
    const previous = gradebook.activityGrade(item.id, userId);
    const now = this.now();
    const cell: GradeCell = {
      value,
      feedback: opts.feedback ?? previous?.feedback ?? '',
      datesubmitted:
        previous?.datesubmitted ?? (item.itemmodule && MODULE_KINDS[item.itemmodule].hasSubmissions ? now : null),
      dategraded: now,
    };
    gradebook.setActivityGrade(item.id, userId, cell);
  }

  /** Overrides any grade item (totals included) in the gradebook; null removes the override. */
  override(courseId: number, userId: number, itemId: number, value: number | null): void {
    const gradebook = this.of(courseId);
    this.users.require(userId);
    if (value !== null) requireGradeInRange(gradebook.item(itemId), value);
    gradebook.setOverride(itemId, userId, value);
  }

  /** The grade the report shows for an activity's item (override first); null = none. */
  gradeOf(courseId: number, userId: number, cmid: number, itemNumber: number): number | null {
    const item = this.activityItem(courseId, cmid, itemNumber);
    return this.of(courseId).effectiveGrade(item.id, userId);
  }

  private activityItem(courseId: number, cmid: number, itemNumber: number): SimGradeItem {
    const item = this.of(courseId)
      .itemsOfModule(cmid)
      .find((candidate) => candidate.itemnumber === itemNumber);
    if (!item) throw new Error(`module ${cmid} of course ${courseId} has no grade item ${itemNumber}`);
    return item;
  }

  private newItem(input: NewGradeItem, categoryid: number | null): SimGradeItem {
    const isTotal = input.itemtype === 'course' || input.itemtype === 'category';
    const scale = input.scale;
    return {
      id: this.itemIds.take(input.id),
      itemtype: input.itemtype,
      itemname: isTotal ? null : (input.itemname ?? null),
      itemmodule: input.itemmodule ?? null,
      iteminstance: input.iteminstance ?? null,
      itemnumber: input.itemtype === 'mod' ? (input.itemnumber ?? 0) : null,
      idnumber: isTotal ? null : (input.idnumber ?? ''),
      categoryid,
      cmid: input.cmid,
      grademin: input.grademin ?? (scale ? 1 : 0),
      grademax: input.grademax ?? (scale ? scale.length : 100),
      scale,
      gradepass: input.gradepass,
    };
  }
}

function requireGradeInRange(item: SimGradeItem, value: number): void {
  const isScaleIndex = !item.scale || Number.isInteger(value);
  if (!Number.isFinite(value) || value < item.grademin || value > item.grademax || !isScaleIndex) {
    throw new RangeError(`grade ${value} is outside ${item.grademin}..${item.grademax} of grade item ${item.id}`);
  }
}
