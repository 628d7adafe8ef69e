/**
 * Temporal tunables in one place. Bump the task-queue version in
 * configuration (TEMPORAL_TASK_QUEUE) for incompatible workflow changes.
 */
export const ACTIVITY_START_TO_CLOSE_MS = 60_000;
