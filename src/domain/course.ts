import type { MoodleCourse } from './moodle-data';

/** NEW until an admin triages the course; only OPEN and CLOSED courses are visible outside the Courses tab. */
export type CourseState = 'NEW' | 'OPEN' | 'CLOSED';

/** The Moodle-owned part of a stored course: the course sync overwrites it, admins never edit it. */
export interface CourseMoodleFields {
  shortName: string;
  fullName: string;
  displayName: string;
  categoryId: number;
  format: string;
  /** Null when the token may not read it (needs `moodle/course:update`). */
  idNumber: string | null;
  /** Null when the token may not read it; unknown is not hidden. */
  visible: boolean | null;
  /** Unix seconds; 0 means none. */
  startDate: number;
  endDate: number;
}

export interface CourseRecord {
  moodleId: number;
  state: CourseState;
  moodle: CourseMoodleFields;
  /** Set when the course vanished from Moodle's list; the record itself is never removed. */
  lmsDeletedAt: Date | null;
}

export function toCourseMoodleFields(course: MoodleCourse): CourseMoodleFields {
  return {
    shortName: course.shortName,
    fullName: course.fullName,
    displayName: course.displayName,
    categoryId: course.categoryId,
    format: course.format,
    idNumber: course.idNumber ?? null,
    visible: course.visible ?? null,
    startDate: course.startDate,
    endDate: course.endDate,
  };
}

/** `core_course_get_courses` includes the site front page, which is not a course (docs/moodle.md §3.2). */
export function isFrontPage(course: MoodleCourse, siteId: number): boolean {
  return course.id === siteId || course.format === 'site';
}
