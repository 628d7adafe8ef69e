import { ApplicationFailure } from '@temporalio/activity';
import { moodleErrorCode } from '../src/domain/sync-error-code';
import { FAILURE_TYPES, type SyncFailureDetails } from '../src/domain/sync-failure';
import { isMoodleError, type MoodleError } from '../src/moodle';

function failureType(error: MoodleError): string {
  if (error.permissionProblem) return FAILURE_TYPES.permission;
  if (error.kind === 'rate-limited') return FAILURE_TYPES.rateLimited;
  return error.retryable ? FAILURE_TYPES.transient : FAILURE_TYPES.final;
}

/**
 * Turns a Moodle error into the ApplicationFailure Temporal records: the
 * technician's message, whether a retry can help, and Retry-After. Anything
 * else is rethrown untouched (Temporal retries unknown errors).
 */
export function toActivityFailure(
  error: unknown,
  context: Pick<SyncFailureDetails, 'courseId' | 'moodleCalls'> = {},
): unknown {
  if (!isMoodleError(error)) return error;
  const details: SyncFailureDetails = {
    code: moodleErrorCode(error.kind),
    moodleKind: error.kind,
    wsfunction: error.wsfunction,
    ...(error.errorcode !== undefined && { errorcode: error.errorcode }),
    ...context,
  };
  return ApplicationFailure.create({
    message: error.message,
    type: failureType(error),
    nonRetryable: !error.retryable,
    nextRetryDelay: error.retryAfterMs,
    details: [details],
  });
}

/** What a log line tells of a failed attempt (as `toActivityFailure` made it): code, kind, the technician's message. */
export function failureLogFields(failure: unknown): Record<string, unknown> {
  if (!(failure instanceof ApplicationFailure)) return { err: failure };
  const details = failure.details?.[0] as SyncFailureDetails | undefined;
  return {
    code: details?.code,
    moodleKind: details?.moodleKind,
    wsfunction: details?.wsfunction,
    retryable: !failure.nonRetryable,
    message: failure.message,
  };
}
