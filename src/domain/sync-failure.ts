import type { MoodleErrorKind } from './moodle-data';

/**
 * Failure types the activities throw and the workflows and retry policy understand. Permission
 * problems are final until a technician fixes Moodle; transient ones are
 * retried with backoff; a busy course is retried once the run holding it is done.
 */
export const FAILURE_TYPES = {
  permission: 'MoodlePermissionDenied',
  rateLimited: 'MoodleRateLimited',
  transient: 'MoodleTransientError',
  final: 'MoodleError',
  busy: 'CourseSyncBusy',
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

/**
 * The code of a course another sync held all through this run's retries: not a Moodle failure, the
 * run that holds it syncs it.
 */
export const COURSE_SYNC_BUSY = 'COURSE_SYNC_BUSY';

/** What a busy course's failure carries instead of a Moodle error's details. */
export interface CourseSyncBusyDetails {
  code: typeof COURSE_SYNC_BUSY;
  courseId: number;
  /** The workflow id of the run syncing it, when known. */
  heldBy: string | null;
}

/**
 * Refusals that hold for every course alike (the token, its account, the service, web services
 * themselves): once one course meets one, the next course would too, so a run stops there instead of
 * asking Moodle once more per course.
 */
const SITE_WIDE_DENIALS: ReadonlySet<string> = new Set<MoodleErrorKind>([
  'invalid-token',
  'account-blocked',
  'function-not-allowed',
  'function-unknown',
  'webservices-disabled',
]);

export function deniesEveryCourse(moodleKind: unknown): boolean {
  return typeof moodleKind === 'string' && SITE_WIDE_DENIALS.has(moodleKind);
}
