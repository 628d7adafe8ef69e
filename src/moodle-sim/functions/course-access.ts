import { wsErrors } from '../protocol/errors';
import type { SimCourse } from '../records';
import { SITE_COURSE_ID, type SiteModel } from '../site';

/** The course a per-course function works on; a deleted or unknown id is `invalidrecord` on table course. */
export function requireCourse(site: SiteModel, courseId: number): SimCourse {
  if (!site.hasCourse(courseId) || site.isCourseDeleted(courseId)) throw wsErrors.missingRecord('course');
  return site.course(courseId);
}

/**
 * Why require_login would refuse the token user this course (its debuginfo),
 * or undefined when it may enter. The front page is open to everybody.
 */
export function courseEntryRefusal(site: SiteModel, course: SimCourse): string | undefined {
  if (course.id === SITE_COURSE_ID) return undefined;
  if (!course.visible && !site.hasCapability('moodle/course:viewhiddencourses')) return 'Course is hidden';
  if (site.courseAccess(course.id) === 'notenrolled') return 'Not enrolled';
  return undefined;
}

/** validate_context as course functions wrap it: errorcoursecontextnotvalid. */
export function requireCourseContext(site: SiteModel, course: SimCourse): void {
  if (courseEntryRefusal(site, course) !== undefined) throw wsErrors.courseContextNotValid(course.id);
}
