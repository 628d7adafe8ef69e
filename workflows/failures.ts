import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The part of a failed activity a sync run records. */
export interface RecordedFailure {
  code: string;
  message: string;
  type: string;
  nonRetryable: boolean;
  details: Record<string, unknown>;
}

/**
 * Reads what the activity said about its failure: activities put the
 * technician's message in the ApplicationFailure and a stable code in its
 * first detail (activities/failures.ts).
 */
export function describeFailure(error: unknown): RecordedFailure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as Record<string, unknown>;
    return {
      code: typeof details.code === 'string' ? details.code : (cause.type ?? 'ACTIVITY_FAILED'),
      message: cause.message,
      type: cause.type ?? 'Error',
      nonRetryable: cause.nonRetryable === true,
      details,
    };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { code: 'ACTIVITY_FAILED', message, type: 'Error', nonRetryable: false, details: {} };
}

/** The Moodle calls a failed activity made before failing (activities/failures.ts puts them in its details). */
export function moodleCallsOf(failure: RecordedFailure): Record<string, number> {
  return (failure.details.moodleCalls as Record<string, number> | undefined) ?? {};
}
