import type { CourseState } from './course';

/**
 * How old a followed course's grades may grow: they are stale once this many enrollment-sync
 * intervals have passed without a successful sync of them (one missed run is not yet a problem).
 */
export const STALE_AFTER_INTERVALS = 2;

/** Grades that date from before this are stale; grades of exactly this time are not. */
export function staleCutoff(now: Date, enrollmentIntervalMs: number): Date {
  return new Date(now.getTime() - STALE_AFTER_INTERVALS * enrollmentIntervalMs);
}

/** A course the SMS follows (it has SMS enrollments) and Moodle still has, as its grades' age is judged. */
export interface FollowedCourse {
  courseId: number;
  state: CourseState;
  createdAt: Date;
  /** When the SMS began to follow it, if the API saw that (its first enrollment); null otherwise. */
  followedAt: Date | null;
  /** The last successful sync of its grades; null before the first. */
  syncedAt: Date | null;
}

/**
 * When a course's grades date from: their last successful sync; before the first, since the SMS began to
 * follow the course, or since the course was created.
 */
export function gradesAsOf(course: Pick<FollowedCourse, 'syncedAt' | 'followedAt' | 'createdAt'>): Date {
  return course.syncedAt ?? course.followedAt ?? course.createdAt;
}

export function isStale(course: Pick<FollowedCourse, 'syncedAt' | 'followedAt' | 'createdAt'>, cutoff: Date): boolean {
  return gradesAsOf(course).getTime() < cutoff.getTime();
}

/** Oldest grades first; the course id breaks ties, so the order is total and pages are stable. */
export function byGradesAge(a: FollowedCourse, b: FollowedCourse): number {
  return gradesAsOf(a).getTime() - gradesAsOf(b).getTime() || a.courseId - b.courseId;
}

export interface GradesFreshness {
  /** Followed courses whose grades are stale. */
  staleCount: number;
  /** When the oldest grades of any followed course date from (`gradesAsOf`); null when the SMS follows none. */
  oldestAsOf: Date | null;
  /** Whole seconds from `oldestAsOf` to now (0 for a clock behind a sync); null with it. */
  oldestAgeSeconds: number | null;
}

export function gradesFreshness(courses: readonly FollowedCourse[], now: Date, cutoff: Date): GradesFreshness {
  let staleCount = 0;
  let oldest: number | null = null;
  for (const course of courses) {
    const asOf = gradesAsOf(course).getTime();
    if (asOf < cutoff.getTime()) staleCount += 1;
    if (oldest === null || asOf < oldest) oldest = asOf;
  }
  return {
    staleCount,
    oldestAsOf: oldest === null ? null : new Date(oldest),
    oldestAgeSeconds: oldest === null ? null : Math.max(0, Math.floor((now.getTime() - oldest) / 1000)),
  };
}

/**
 * A stale course's place in the list: its grades' time and its id. A cursor carries it rather than the
 * id alone, so that a page still follows on when the course it ended at has synced since.
 */
export interface StaleCourseKey {
  asOfMs: number;
  courseId: number;
}

export function staleCourseKey(course: FollowedCourse): string {
  return `${gradesAsOf(course).getTime()}.${course.courseId}`;
}

/** Null for text `staleCourseKey` did not make. */
export function parseStaleCourseKey(text: string): StaleCourseKey | null {
  const match = /^(\d{1,16})\.(\d{1,16})$/.exec(text);
  if (match === null) return null;
  const [asOfMs, courseId] = [Number(match[1]), Number(match[2])];
  return Number.isSafeInteger(asOfMs) && Number.isSafeInteger(courseId) ? { asOfMs, courseId } : null;
}

export interface StaleCoursesPage {
  /** Oldest grades first. */
  items: FollowedCourse[];
  hasNextPage: boolean;
  /** Stale courses in the whole list. */
  totalCount: number;
}

/** The stale ones among `courses`, oldest grades first, from just past `after`. */
export function staleCoursesPage(
  courses: readonly FollowedCourse[],
  cutoff: Date,
  page: { first: number; after?: StaleCourseKey },
): StaleCoursesPage {
  const stale = courses.filter((course) => isStale(course, cutoff)).sort(byGradesAge);
  const { after } = page;
  const rest =
    after === undefined
      ? stale
      : stale.filter((course) => {
          const asOf = gradesAsOf(course).getTime();
          return asOf > after.asOfMs || (asOf === after.asOfMs && course.courseId > after.courseId);
        });
  return { items: rest.slice(0, page.first), hasNextPage: rest.length > page.first, totalCount: stale.length };
}
