import { SYNC_SCOPES } from './sync-scopes';

/**
 * What a technician's "replay what failed" re-runs, decided from the open
 * sync errors: a failed course sync → the whole course sync; a failed
 * enrollment sync run → the whole enrollment sync; failures of single courses
 * or enrollments → the enrollment sync of just those courses. Every replay is
 * an ordinary, idempotent sync run, so replaying twice changes nothing more.
 */

export interface ReplayableError {
  scope: string;
  courseId: number | null;
  lastSeenAt: Date;
}

export interface ReplayRequest {
  /** Only failures seen at or after this time. */
  since: Date;
  /** Only these courses (no full syncs then). */
  courseIds?: readonly number[];
}

export interface ReplayPlan {
  fullCourseSync: boolean;
  fullEnrollmentSync: boolean;
  /** Courses whose enrollment sync re-runs on its own; empty when the full enrollment sync covers them. */
  courseIds: number[];
}

export function planReplay(openErrors: readonly ReplayableError[], request: ReplayRequest): ReplayPlan {
  // Held deletions wait for an admin's confirmation; re-running the sync would only hold them again.
  const recent = openErrors.filter(
    (error) => error.lastSeenAt >= request.since && error.scope !== SYNC_SCOPES.heldDeletions,
  );
  const onlyCourses = request.courseIds === undefined ? undefined : new Set(request.courseIds);
  const failedCourses = [
    ...new Set(recent.flatMap((error) => (error.courseId === null ? [] : [error.courseId]))),
  ].filter((courseId) => onlyCourses === undefined || onlyCourses.has(courseId));

  const fullCourseSync = onlyCourses === undefined && recent.some((error) => error.scope === SYNC_SCOPES.run.COURSE);
  const fullEnrollmentSync =
    onlyCourses === undefined && recent.some((error) => error.scope === SYNC_SCOPES.run.ENROLLMENT);
  return {
    fullCourseSync,
    fullEnrollmentSync,
    courseIds: fullEnrollmentSync ? [] : failedCourses.sort((a, b) => a - b),
  };
}

export function isEmptyPlan(plan: ReplayPlan): boolean {
  return !plan.fullCourseSync && !plan.fullEnrollmentSync && plan.courseIds.length === 0;
}
