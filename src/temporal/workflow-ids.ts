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

/** A missed run is caught up at most this late; older ones are dropped (the next run does a full diff anyway). */
export const SCHEDULE_CATCHUP_WINDOW_MS = 10 * 60_000;
