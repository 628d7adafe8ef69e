import { createGraphQLError } from 'graphql-yoga';

/**
 * When a client may try again after DATABASE_UNAVAILABLE: the driver gives up
 * on a server after 10 s (serverSelectionTimeoutMS), and sees it back within a
 * second of its return.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 10;

/** Stable `extensions.code` values: the front end branches on these, never on messages. */
export type ApiErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'COURSE_NOT_OPEN'
  | 'COURSE_DELETED'
  | 'ALREADY_ENROLLED'
  | 'STUDENT_EXISTS'
  | 'MOODLE_USER_NOT_FOUND'
  | 'MOODLE_UNAVAILABLE'
  | 'SYNC_UNAVAILABLE'
  | 'DATABASE_UNAVAILABLE'
  | 'RATE_LIMITED';

/**
 * The HTTP status of a response carrying the error (the highest wins when there are several), so that
 * proxies, logs and clients that never read the body still tell a refusal from a success.
 */
const HTTP_STATUS: Record<ApiErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  COURSE_NOT_OPEN: 409,
  COURSE_DELETED: 409,
  ALREADY_ENROLLED: 409,
  STUDENT_EXISTS: 409,
  MOODLE_USER_NOT_FOUND: 404,
  MOODLE_UNAVAILABLE: 502,
  SYNC_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
};

/** An expected failure: its message reaches the client as written, with a stable code. */
export function apiError(
  code: ApiErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  /** Response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>,
) {
  return createGraphQLError(message, {
    extensions: { code, ...details, http: { status: HTTP_STATUS[code], ...(headers && { headers }) } },
  });
}
