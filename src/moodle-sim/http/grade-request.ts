import type { SimGradeItem } from '../records';
import type { SiteModel } from '../site';

/**
 * `POST /simulator/grades`: a teacher grades one student. Without `itemId` or `activity`, the course's
 * first graded activity on the course page is graded (its first item: a workshop's submission grade).
 */
export interface GradeRequest {
  courseId: number;
  userId: number;
  /** Any grade item of the course. */
  itemId?: number;
  /** The name of an activity of the course (case aside). */
  activity?: string;
  grade: number;
}

/** What was set, for the person who asked. */
export interface GradeAnswer {
  courseId: number;
  userId: number;
  userFullname: string;
  itemId: number;
  itemName: string;
  /** The activity of the item; null for manual items and totals. */
  cmid: number | null;
  /** `graded` as the activity does; `overridden` in the gradebook, as for manual items and totals. */
  how: 'graded' | 'overridden';
  grade: number;
  /** What the user's grade report shows now: differs from `grade` where an override hides an activity's grade. */
  shown: number | null;
  grademin: number;
  grademax: number;
}

/** Why nothing was set; the message is for the person who asked. */
export interface GradeRefusal {
  refused: string;
}

/** The request in `fields` (a parsed JSON body), or why it is not one. */
export function parseGradeRequest(fields: Record<string, unknown>): GradeRequest | GradeRefusal {
  const { courseId, userId, itemId, activity, grade } = fields;
  if (!isId(courseId)) return refuse('courseId: expected a course id');
  if (!isId(userId)) return refuse('userId: expected a user id');
  if (typeof grade !== 'number' || !Number.isFinite(grade)) return refuse('grade: expected a number');
  if (itemId !== undefined && !isId(itemId)) return refuse('itemId: expected a grade item id');
  if (activity !== undefined && (typeof activity !== 'string' || activity.trim() === '')) {
    return refuse('activity: expected an activity name');
  }
  if (itemId !== undefined && activity !== undefined) return refuse('give itemId or activity, not both');
  return { courseId, userId, itemId, activity, grade };
}

/**
 * Sets the grade through the model, so that the site's events see it, after checking everything that
 * could refuse it: a refused request changes nothing.
 */
export function applyGradeRequest(site: SiteModel, request: GradeRequest): GradeAnswer | GradeRefusal {
  const { courseId, userId, itemId, activity, grade } = request;
  if (!site.hasCourse(courseId) || site.isCourseDeleted(courseId)) return refuse(`there is no course ${courseId}`);
  const user = site.user(userId);
  if (!user) return refuse(`there is no user ${userId}`);
  if (!site.enrolments(courseId).some((enrolment) => enrolment.userid === userId)) {
    return refuse(`user ${userId} is not enrolled in course ${courseId}`);
  }
  const item = itemId !== undefined ? itemById(site, courseId, itemId) : activityItem(site, courseId, activity);
  if ('refused' in item) return item;

  try {
    if (item.itemtype === 'mod' && item.cmid !== undefined) {
      site.grade(courseId, userId, item.cmid, grade, { itemNumber: item.itemnumber ?? 0 });
    } else {
      site.overrideGrade(courseId, userId, item.id, grade);
    }
  } catch (error) {
    if (error instanceof RangeError) return refuse(error.message); // checked before anything is set
    throw error;
  }
  const shown = site
    .gradebook(courseId)
    .userReport(userId)
    .rows.find((row) => row.item.id === item.id);
  return {
    courseId,
    userId,
    userFullname: `${user.firstname} ${user.lastname}`,
    itemId: item.id,
    itemName: item.itemname ?? `${item.itemtype} total`,
    cmid: item.cmid ?? null,
    how: item.itemtype === 'mod' ? 'graded' : 'overridden',
    grade,
    shown: shown?.value ?? null,
    grademin: item.grademin,
    grademax: item.grademax,
  };
}

function itemById(site: SiteModel, courseId: number, itemId: number): SimGradeItem | GradeRefusal {
  return (
    site.gradeItems(courseId).find((item) => item.id === itemId) ??
    refuse(`course ${courseId} has no grade item ${itemId}`)
  );
}

/** The named activity's item, or without a name the first graded activity's, in course-page order. */
function activityItem(site: SiteModel, courseId: number, name: string | undefined): SimGradeItem | GradeRefusal {
  const gradebook = site.gradebook(courseId);
  const firstItem = (cmid: number) => gradebook.itemsOfModule(cmid).find((item) => item.itemnumber === 0);
  const modules = site.modules(courseId);
  if (name === undefined) {
    for (const module of modules) {
      const item = firstItem(module.id);
      if (item) return item;
    }
    return refuse(`course ${courseId} has no graded activity: give itemId`);
  }
  const named = modules.filter((module) => module.name.toLowerCase() === name.trim().toLowerCase());
  const [module, ...others] = named;
  if (!module) return refuse(`course ${courseId} has no activity named "${name}"`);
  if (others.length > 0) {
    const cmids = named.map((each) => each.id).join(', ');
    return refuse(`${named.length} activities of course ${courseId} are named "${name}" (cmids ${cmids}): give itemId`);
  }
  return firstItem(module.id) ?? refuse(`the activity "${module.name}" of course ${courseId} has no grade item`);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function refuse(message: string): GradeRefusal {
  return { refused: message };
}
