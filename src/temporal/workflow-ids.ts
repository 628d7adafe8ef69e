import { createHash } from 'node:crypto';
import type { RefreshTarget } from '../domain/moodle-events';
import type { SyncTrigger } from '../domain/sync-run';

/** The names ops see in the Temporal UI: schedule ids and workflow id prefixes. */

export const SCHEDULE_IDS = {
  courseSync: 'course-sync',
  enrollmentSync: 'enrollment-sync',
} as const;

/** Prefix of every course-sync workflow id; the schedule appends the scheduled time. */
export const COURSE_SYNC_WORKFLOW_ID = 'course-sync';

/** Prefix of every enrollment-sync workflow id; a one-course run is `enrollment-sync-course-<id>`. */
export const ENROLLMENT_SYNC_WORKFLOW_ID = 'enrollment-sync';

export function enrollmentSyncCourseWorkflowId(courseId: number): string {
  return `${ENROLLMENT_SYNC_WORKFLOW_ID}-course-${courseId}`;
}

/**
 * The workflow that turns Moodle's events about a target into syncs of it: `refresh-course-<id>` for a
 * course's grades, `refresh-course-list` for the course list. One per target, so events join it.
 */
export function refreshWorkflowId(target: RefreshTarget): string {
  return target.kind === 'COURSE_LIST' ? 'refresh-course-list' : `refresh-course-${target.courseId}`;
}

/** Course ids named in full up to this length; a longer set is named by its size and a hash. */
const NAMED_COURSES_MAX_LENGTH = 60;

/**
 * The id of an on-demand enrollment sync, which names what it syncs and nothing else (no time): a
 * request identical to a running one gets the running one's id, and joins it. Every course:
 * `enrollment-sync-manual-all` (`-replay-all` for a replay); one course: `enrollment-sync-course-<id>`
 * whatever started it; several: `enrollment-sync-manual-courses-3-7-12`, or for a long set
 * `enrollment-sync-manual-courses-40-<hash>`. Give `courseIds` as `courseSet` returns them.
 */
export function enrollmentSyncWorkflowId(trigger: SyncTrigger, courseIds?: readonly number[]): string {
  const prefix = `${ENROLLMENT_SYNC_WORKFLOW_ID}-${trigger.toLowerCase()}`;
  if (courseIds === undefined) return `${prefix}-all`;
  const [onlyCourse] = courseIds;
  if (courseIds.length === 1 && onlyCourse !== undefined) return enrollmentSyncCourseWorkflowId(onlyCourse);
  const named = courseIds.join('-');
  if (named.length <= NAMED_COURSES_MAX_LENGTH) return `${prefix}-courses-${named}`;
  const hash = createHash('sha256').update(courseIds.join(',')).digest('hex').slice(0, 12);
  return `${prefix}-courses-${courseIds.length}-${hash}`;
}

/** A set of course ids in one spelling: each once, ascending, so that the same set gets the same id. */
export function courseSet(courseIds: readonly number[]): number[] {
  return [...new Set(courseIds)].sort((a, b) => a - b);
}

/** A missed run is caught up at most this late; older ones are dropped (the next run does a full diff anyway). */
export const SCHEDULE_CATCHUP_WINDOW_MS = 10 * 60_000;
