import { createGraphQLError } from 'graphql-yoga';

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
  | 'SYNC_UNAVAILABLE';

const HTTP_STATUS: Partial<Record<ApiErrorCode, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403 };

/** An expected failure: its message reaches the client as written, with a stable code. */
export function apiError(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
  const status = HTTP_STATUS[code];
  return createGraphQLError(message, {
    extensions: { code, ...details, ...(status !== undefined && { http: { status } }) },
  });
}
