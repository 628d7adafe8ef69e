/**
 * Failure types the activities throw and the workflows and retry policy understand. Permission
 * problems are final until a technician fixes Moodle; transient ones are
 * retried with backoff.
 */
export const FAILURE_TYPES = {
  permission: 'MoodlePermissionDenied',
  rateLimited: 'MoodleRateLimited',
  transient: 'MoodleTransientError',
  final: 'MoodleError',
} as const;

/** What an activity tells its workflow about a failed sync: small, JSON, never a secret. */
export interface SyncFailureDetails {
  code: string;
  moodleKind: string;
  wsfunction: string;
  errorcode?: string;
  courseId?: number;
  moodleCalls?: Record<string, number>;
}
