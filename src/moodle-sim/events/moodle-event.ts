import type { SimCourse } from '../records';
import type { SiteChange, SiteModel } from '../site';
import { RowIds } from './row-ids';

/**
 * The standard data of a Moodle event (`\core\event\base::get_data()`), which the local_webhooks
 * plugin sends as it is. Field names and codes are Moodle's own.
 */
export interface MoodleEvent {
  /** e.g. `\core\event\user_graded`. */
  eventname: string;
  component: 'core';
  /** The event class name after its last underscore (`graded`), as Moodle derives it. */
  action: string;
  /** The class name before it (`user`). */
  target: string;
  objecttable: string;
  objectid: number;
  crud: 'c' | 'r' | 'u' | 'd';
  edulevel: EduLevel;
  contextid: number;
  contextlevel: typeof CONTEXT_COURSE | typeof CONTEXT_MODULE;
  /** The course id in a course context, the cmid in a module context. */
  contextinstanceid: number;
  /** Who did it: the simulator's changes are all made by the web-service account. */
  userid: number;
  courseid: number;
  /** The user it was done to (the student graded or enrolled), or null. */
  relateduserid: number | null;
  anonymous: 0;
  other: Record<string, unknown> | null;
  /** Unix seconds, by the site clock. */
  timecreated: number;
}

/** `\core\event\base` LEVEL_OTHER, LEVEL_TEACHING (teachers' and admins' work). */
type EduLevel = 0 | 1;
const LEVEL_OTHER = 0;
const LEVEL_TEACHING = 1;
const CONTEXT_COURSE = 50;
const CONTEXT_MODULE = 70;

/** Where the event happened and about what: the parts of an event that depend on the change. */
interface EventSubject {
  objectid: number;
  context: Pick<MoodleEvent, 'contextid' | 'contextlevel' | 'contextinstanceid'>;
  relateduserid?: number;
  other: Record<string, unknown> | null;
}

/** Ids of the rows the model does not number, per table. */
export interface EventRowIds {
  gradeGrades: RowIds;
  userEnrolments: RowIds;
}

export const newEventRowIds = (): EventRowIds => ({ gradeGrades: new RowIds(), userEnrolments: new RowIds() });

type ChangeOf<K extends SiteChange['kind']> = Extract<SiteChange, { kind: K }>;

interface EventRow<K extends SiteChange['kind']> {
  /** The class name in `\core\event\`. */
  event: string;
  objecttable: string;
  crud: MoodleEvent['crud'];
  edulevel: EduLevel;
  subject: (change: ChangeOf<K>, site: SiteModel, rows: EventRowIds) => EventSubject;
}

/**
 * The event a real Moodle fires for each change of the model: one row per change, with the values
 * Moodle's event classes set (lib/classes/event/*.php). There is no course_module_deleted row
 * because the model cannot remove an activity.
 */
const EVENT_OF_CHANGE: { readonly [K in SiteChange['kind']]: EventRow<K> } = {
  grade: {
    event: 'user_graded',
    objecttable: 'grade_grades',
    crud: 'u',
    edulevel: LEVEL_TEACHING,
    subject: ({ courseId, itemId, userId }, site, rows) => ({
      objectid: rows.gradeGrades.idOf(itemId, userId),
      context: courseContext(site, courseId),
      relateduserid: userId,
      other: gradeOther(site, courseId, itemId, userId),
    }),
  },
  'activity-added': { event: 'course_module_created', ...moduleEvent('c') },
  'activity-updated': { event: 'course_module_updated', ...moduleEvent('u') },
  'section-updated': {
    event: 'course_section_updated',
    objecttable: 'course_sections',
    crud: 'u',
    edulevel: LEVEL_TEACHING,
    subject: ({ courseId, sectionId, sectionNumber }, site) => ({
      objectid: sectionId,
      context: courseContext(site, courseId),
      other: { sectionnum: sectionNumber },
    }),
  },
  'course-added': {
    event: 'course_created',
    ...courseEvent('c', (course) => ({ shortname: course.shortname, fullname: course.fullname })),
  },
  'course-updated': {
    event: 'course_updated',
    ...courseEvent('u', (course, { fields }) => ({
      shortname: course.shortname,
      fullname: course.fullname,
      updatedfields: fields,
    })),
  },
  'course-deleted': {
    event: 'course_deleted',
    ...courseEvent('d', (course) => ({
      shortname: course.shortname,
      fullname: course.fullname,
      idnumber: course.idnumber,
    })),
  },
  'course-restored': {
    event: 'course_restored',
    ...courseEvent('c', () => ({ type: 'course', operation: 'restore', samesite: true })),
  },
  enrolled: { event: 'user_enrolment_created', ...enrolmentEvent('c') },
  'enrolment-updated': { event: 'user_enrolment_updated', ...enrolmentEvent('u') },
  unenrolled: { event: 'user_enrolment_deleted', ...enrolmentEvent('d') },
};

/** The event Moodle fires for `change`, as the site is right after it. */
export function moodleEventFor(change: SiteChange, site: SiteModel, rows: EventRowIds): MoodleEvent {
  const row = EVENT_OF_CHANGE[change.kind] as EventRow<typeof change.kind>;
  const subject = row.subject(change as ChangeOf<typeof change.kind>, site, rows);
  const split = row.event.lastIndexOf('_');
  return {
    eventname: `\\core\\event\\${row.event}`,
    component: 'core',
    action: row.event.slice(split + 1),
    target: row.event.slice(0, split),
    objecttable: row.objecttable,
    objectid: subject.objectid,
    crud: row.crud,
    edulevel: row.edulevel,
    ...subject.context,
    userid: site.serviceUser.id,
    courseid: change.courseId,
    relateduserid: subject.relateduserid ?? null,
    anonymous: 0,
    other: subject.other,
    timecreated: site.now(),
  };
}

function courseContext(site: SiteModel, courseId: number): EventSubject['context'] {
  return { contextid: site.course(courseId).contextid, contextlevel: CONTEXT_COURSE, contextinstanceid: courseId };
}

/** user_graded's `other`: the item, whether an override set the grade, and the grade the report now shows. */
function gradeOther(site: SiteModel, courseId: number, itemId: number, userId: number): Record<string, unknown> {
  const gradebook = site.gradebook(courseId);
  const shown = gradebook.userReport(userId).rows.find((row) => row.item.id === itemId);
  return {
    itemid: itemId,
    overridden: gradebook.override(itemId, userId) !== undefined,
    finalgrade: shown?.value ?? null,
  };
}

function moduleEvent(crud: MoodleEvent['crud']): Omit<EventRow<'activity-added' | 'activity-updated'>, 'event'> {
  return {
    objecttable: 'course_modules',
    crud,
    edulevel: LEVEL_TEACHING,
    subject: ({ courseId, cmid }, site) => {
      const module = site.module(courseId, cmid);
      return {
        objectid: cmid,
        context: { contextid: module.contextid, contextlevel: CONTEXT_MODULE, contextinstanceid: cmid },
        other: { modulename: module.modname, instanceid: module.instance, name: module.name },
      };
    },
  };
}

type CourseKind = 'course-added' | 'course-updated' | 'course-deleted' | 'course-restored';

function courseEvent<K extends CourseKind>(
  crud: MoodleEvent['crud'],
  other: (course: SimCourse, change: ChangeOf<K>) => Record<string, unknown>,
): Omit<EventRow<K>, 'event'> {
  return {
    objecttable: 'course',
    crud,
    edulevel: LEVEL_TEACHING,
    subject: (change, site) => {
      const { courseId } = change as SiteChange; // every change has one; TypeScript cannot see it through K
      return {
        objectid: courseId,
        context: courseContext(site, courseId),
        other: other(site.course(courseId), change),
      };
    },
  };
}

type EnrolmentKind = 'enrolled' | 'enrolment-updated' | 'unenrolled';

/** The simulator's enrolments are all manual ones; an unenrolment names the row it removed, as Moodle's does. */
function enrolmentEvent(crud: MoodleEvent['crud']): Omit<EventRow<EnrolmentKind>, 'event'> {
  return {
    objecttable: 'user_enrolments',
    crud,
    edulevel: LEVEL_OTHER,
    subject: ({ courseId, userId }, site, rows) => {
      const id = rows.userEnrolments.idOf(courseId, userId);
      if (crud === 'd') rows.userEnrolments.forget(courseId, userId);
      return {
        objectid: id,
        context: courseContext(site, courseId),
        relateduserid: userId,
        other:
          crud === 'd'
            ? { enrol: 'manual', userenrolment: { id, courseid: courseId, userid: userId } }
            : { enrol: 'manual' },
      };
    },
  };
}
