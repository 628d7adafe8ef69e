import type { MoodleErrorKind } from './moodle-data';
import { moodleErrorCode } from './sync-error-code';

export const CONNECTION_STATUSES = ['HEALTHY', 'DEGRADED', 'FAILING', 'UNKNOWN'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** The likely cause, for tools; `message` says it in plain words. */
export type ConnectionCause =
  | 'INVALID_TOKEN'
  | 'FUNCTION_NOT_ALLOWED'
  | 'MISSING_CAPABILITY'
  | 'WEBSERVICES_DISABLED'
  | 'MOODLE_UNREACHABLE'
  | 'SYNC_FAILED'
  | 'NO_RECENT_SUCCESS'
  | 'SYNC_ERRORS';

export interface FinishedRun {
  kind: string;
  outcome: 'SUCCEEDED' | 'PARTIAL' | 'FAILED';
  finishedAt: Date;
  error: { code: string; message: string } | null;
}

/** Open sync errors of one code: how many courses and enrollments it hits. */
export interface OpenErrorGroup {
  code: string;
  courses: number;
  enrollments: number;
  /** The message of one of them, which names what to fix. */
  message: string;
}

export interface ConnectionFacts {
  now: Date;
  /** The latest finished run of each kind that has run. */
  latestRuns: FinishedRun[];
  /** The end of the latest run of any kind that did its job (SUCCEEDED or PARTIAL). */
  lastSuccessAt: Date | null;
  openErrors: OpenErrorGroup[];
  /** docs/product.md "Sync health": FAILING when no sync has succeeded for longer than this. */
  staleAfterMs?: number;
}

export interface ConnectionState {
  status: ConnectionStatus;
  cause: ConnectionCause | null;
  message: string;
  lastSuccessAt: Date | null;
}

export const STALE_AFTER_MS = 30 * 60_000;

/**
 * How long without a success means FAILING when the syncs run every `intervalsMs`: 30 minutes, or
 * the shortest interval when that is longer, since some sync is due within every such span and a
 * longer interval must not read as a silent worker.
 */
export function staleAfterForIntervals(intervalsMs: readonly number[]): number {
  return Math.max(STALE_AFTER_MS, Math.min(...intervalsMs));
}

type AccessCause = Exclude<ConnectionCause, 'SYNC_FAILED' | 'NO_RECENT_SUCCESS' | 'SYNC_ERRORS'>;

const CAUSE_OF_KIND: Partial<Record<MoodleErrorKind, AccessCause>> = {
  'invalid-token': 'INVALID_TOKEN',
  'account-blocked': 'INVALID_TOKEN',
  'function-not-allowed': 'FUNCTION_NOT_ALLOWED',
  'function-unknown': 'FUNCTION_NOT_ALLOWED',
  'missing-capability': 'MISSING_CAPABILITY',
  'course-inaccessible': 'MISSING_CAPABILITY',
  'webservices-disabled': 'WEBSERVICES_DISABLED',
  unreachable: 'MOODLE_UNREACHABLE',
  timeout: 'MOODLE_UNREACHABLE',
  'server-error': 'MOODLE_UNREACHABLE',
  maintenance: 'MOODLE_UNREACHABLE',
};

const CAUSE_OF_CODE = new Map(
  Object.entries(CAUSE_OF_KIND).map(([kind, cause]) => [moodleErrorCode(kind as MoodleErrorKind), cause]),
);

const PLAIN_WORDS: Record<AccessCause, string> = {
  INVALID_TOKEN: "Moodle rejects the sync's token (invalid, expired, or its account is blocked)",
  FUNCTION_NOT_ALLOWED: "a web-service function the sync needs is not allowed for the token's service",
  MISSING_CAPABILITY: "the token's account is missing a capability the sync needs",
  WEBSERVICES_DISABLED: 'web services are disabled on the Moodle site',
  MOODLE_UNREACHABLE: 'Moodle is unreachable or not answering',
};

/** The plain-words cause of a stored error code, when it is one of the Moodle access problems. */
function accessCause(code: string): AccessCause | undefined {
  return CAUSE_OF_CODE.get(code);
}

function explain(run: FinishedRun): { cause: ConnectionCause; words: string } {
  const error = run.error ?? { code: 'UNKNOWN', message: 'no reason was recorded' };
  const cause = accessCause(error.code);
  const words = cause === undefined ? `the last ${run.kind.toLowerCase()} sync failed` : PLAIN_WORDS[cause];
  return { cause: cause ?? 'SYNC_FAILED', words: `${words}: ${error.message}` };
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * docs/product.md "Sync health": FAILING when a sync of some kind failed outright (Moodle
 * rejects the token or the functions, or every course) or none has succeeded
 * for too long; DEGRADED when some courses or enrollments fail; HEALTHY
 * otherwise; UNKNOWN before the first run.
 */
export function connectionState(facts: ConnectionFacts): ConnectionState {
  const { lastSuccessAt } = facts;
  if (facts.latestRuns.length === 0) {
    return { status: 'UNKNOWN', cause: null, message: 'No sync has finished yet.', lastSuccessAt };
  }

  // An access problem explains a failure better than any other error, so it is named first.
  const failed = facts.latestRuns
    .filter((run) => run.outcome === 'FAILED')
    .sort(
      (a, b) =>
        Number(accessCause(b.error?.code ?? '') !== undefined) - Number(accessCause(a.error?.code ?? '') !== undefined),
    );
  const [worst] = failed;
  if (worst !== undefined) {
    const { cause, words } = explain(worst);
    return { status: 'FAILING', cause, message: `${capitalised(words)}.`, lastSuccessAt };
  }
  const staleAfterMs = facts.staleAfterMs ?? STALE_AFTER_MS;
  if (lastSuccessAt === null || facts.now.getTime() - lastSuccessAt.getTime() > staleAfterMs) {
    const minutes = Math.round(staleAfterMs / 60_000);
    return {
      status: 'FAILING',
      cause: 'NO_RECENT_SUCCESS',
      message: `No sync has succeeded for more than ${minutes} minutes: check that the sync worker is running.`,
      lastSuccessAt,
    };
  }

  const courses = facts.openErrors.reduce((sum, group) => sum + group.courses, 0);
  const enrollments = facts.openErrors.reduce((sum, group) => sum + group.enrollments, 0);
  if (courses + enrollments > 0) {
    const [top] = [...facts.openErrors].sort((a, b) => b.courses + b.enrollments - (a.courses + a.enrollments));
    const cause = top === undefined ? undefined : accessCause(top.code);
    const failing = [courses > 0 && plural(courses, 'course'), enrollments > 0 && plural(enrollments, 'enrollment')]
      .filter(Boolean)
      .join(' and ');
    const mostly =
      top === undefined
        ? ''
        : ` Most often (${top.code}): ${cause === undefined ? '' : `${PLAIN_WORDS[cause]} — `}${top.message}`;
    return {
      status: 'DEGRADED',
      cause: 'SYNC_ERRORS',
      message: `${capitalised(failing)} failing to sync.${mostly}`,
      lastSuccessAt,
    };
  }
  const firstPartial = facts.latestRuns.find((run) => run.outcome === 'PARTIAL');
  if (firstPartial !== undefined) {
    const message = `The last ${firstPartial.kind.toLowerCase()} sync did part of its work: see its open sync errors.`;
    return { status: 'DEGRADED', cause: 'SYNC_ERRORS', message, lastSuccessAt };
  }
  return { status: 'HEALTHY', cause: null, message: 'Moodle answers and the latest syncs succeeded.', lastSuccessAt };
}
