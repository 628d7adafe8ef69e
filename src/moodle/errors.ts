/**
 * The single error type of the Moodle client. Callers (sync activities,
 * Temporal retry policy, run records) decide what to do from `kind`,
 * `retryable` and `permissionProblem`; `message` is for the technician.
 */

import type { MoodleErrorKind } from '../domain/moodle-data';

export type { MoodleErrorKind };

interface KindPolicy {
  retryable: boolean;
  permissionProblem: boolean;
}

const TRANSIENT: KindPolicy = { retryable: true, permissionProblem: false };
const PERMISSION: KindPolicy = { retryable: false, permissionProblem: true };
const FINAL: KindPolicy = { retryable: false, permissionProblem: false };

const KIND_POLICY: Record<MoodleErrorKind, KindPolicy> = {
  'invalid-token': PERMISSION,
  'account-blocked': PERMISSION,
  'function-not-allowed': PERMISSION,
  'function-unknown': PERMISSION,
  'missing-capability': PERMISSION,
  'webservices-disabled': PERMISSION,
  'course-inaccessible': PERMISSION,
  'course-not-found': FINAL,
  'user-not-found': FINAL,
  'invalid-parameter': FINAL,
  'moodle-error': FINAL,
  // Decided per case (see classify.ts): a truncated body may succeed next time, a schema mismatch will not.
  protocol: FINAL,
  maintenance: TRANSIENT,
  unreachable: TRANSIENT,
  timeout: TRANSIENT,
  'server-error': TRANSIENT,
  'rate-limited': TRANSIENT,
};

export interface MoodleErrorDetails {
  kind: MoodleErrorKind;
  wsfunction: string;
  message: string;
  errorcode?: string;
  /** Only `protocol` errors choose; every other kind has a fixed policy. */
  retryable?: boolean;
  retryAfterMs?: number;
  missingFunctions?: string[];
}

export class MoodleError extends Error {
  readonly kind: MoodleErrorKind;
  readonly wsfunction: string;
  readonly errorcode?: string;
  readonly retryable: boolean;
  readonly permissionProblem: boolean;
  readonly retryAfterMs?: number;
  readonly missingFunctions?: string[];

  constructor(details: MoodleErrorDetails) {
    super(details.message);
    this.name = 'MoodleError';
    this.kind = details.kind;
    this.wsfunction = details.wsfunction;
    const policy = KIND_POLICY[details.kind];
    this.retryable = details.kind === 'protocol' ? (details.retryable ?? false) : policy.retryable;
    this.permissionProblem = policy.permissionProblem;
    // Assigned only when known so that serialised errors carry no `undefined` noise.
    if (details.errorcode !== undefined) this.errorcode = details.errorcode;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.missingFunctions !== undefined) this.missingFunctions = details.missingFunctions;
  }

  /** `message` is not enumerable on errors; loggers and run records want it. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      wsfunction: this.wsfunction,
      errorcode: this.errorcode,
      retryable: this.retryable,
      permissionProblem: this.permissionProblem,
      retryAfterMs: this.retryAfterMs,
      missingFunctions: this.missingFunctions,
    };
  }
}

/**
 * Duck-typed on purpose: an error thrown in another Jest module registry or
 * rebuilt after crossing a Temporal boundary is not an `instanceof` this class.
 */
export function isMoodleError(error: unknown): error is MoodleError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; kind?: unknown };
  return (
    candidate.name === 'MoodleError' &&
    typeof candidate.kind === 'string' &&
    Object.prototype.hasOwnProperty.call(KIND_POLICY, candidate.kind)
  );
}
