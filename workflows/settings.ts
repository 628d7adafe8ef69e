/**
 * Timeouts, retries and batch sizes of the sync workflows: part of the
 * workflow code, so a change ships with it. Bump TEMPORAL_TASK_QUEUE for
 * incompatible workflow changes.
 */

/**
 * Courses per child workflow. A course costs a child about 6 history events
 * (its activity, and the workflow task its completion wakes), a failed one 3
 * more, so a batch stays near 1,500 events, far below the 10,240-event
 * warning (docs/temporal.md §4.3); 5,000 courses are 25 children,
 * about 150 events in the parent.
 */
export const ENROLLMENT_SYNC_BATCH_SIZE = 200;

/**
 * One course: contents plus a whole gradebook, which Moodle may take minutes
 * to build (docs/moodle.md §10); the heartbeat, not this, notices a dead worker.
 */
export const COURSE_ENROLLMENT_SYNC_START_TO_CLOSE_MS = 15 * 60_000;

/** A worker that stops heartbeating this long is presumed dead and the course is retried elsewhere. */
export const COURSE_ENROLLMENT_SYNC_HEARTBEAT_MS = 60_000;

/** Bookkeeping activities only touch MongoDB. */
export const BOOKKEEPING_START_TO_CLOSE_MS = 30_000;

/** One call for the whole course list: tens of MB on very large sites (docs/moodle.md §3.3). */
export const COURSE_SYNC_START_TO_CLOSE_MS = 10 * 60_000;

/**
 * Retries for network trouble, timeouts, 5xx and maintenance. Permission
 * problems are non-retryable at the source, so this never loops on them.
 */
export const MOODLE_ACTIVITY_RETRY = {
  initialInterval: 1_000,
  backoffCoefficient: 2,
  maximumInterval: 60_000,
  maximumAttempts: 6,
} as const;

/**
 * A Moodle-event refresh waits this long for another event before it ends: longer than the debounce's
 * gap between syncs, so a burst is spaced by one workflow and a quiet course costs no open workflow.
 */
export const REFRESH_IDLE_MS = 2 * 60_000;

/**
 * A refresh continues as new past this many history events (a sync costs it about 10, an event 1), far
 * below the 10,240-event warning, so one busy course never grows one long history.
 */
export const REFRESH_HISTORY_LIMIT = 2_000;
