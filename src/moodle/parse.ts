import type { z } from 'zod';
import {
  emptyBodyError,
  errorFromException,
  errorFromHttpStatus,
  isMoodleExceptionBody,
  notJsonError,
  unexpectedShapeError,
  type HttpAnswer,
  type MoodleCall,
} from './classify';
import { MOODLE_FUNCTIONS } from './functions';
import {
  courseContentsSchema,
  coursesSchema,
  gradeReportSchema,
  siteInfoSchema,
  userGradesSchema,
  usersSchema,
} from './schemas';
import type { CourseSection, MoodleCourse, MoodleUser, SiteInfo, UserGrades } from '../domain/moodle-data';

/**
 * Pure parsing, no I/O: `parseMoodleBody` turns an HTTP answer into JSON or a
 * classified `MoodleError`; the `parse*` functions validate that JSON and
 * return the project's types, or throw a `protocol` error naming the bad path.
 */

export type MoodleResponse = HttpAnswer;

const MAX_REPORTED_PROBLEMS = 3;

/** Returns the JSON of a successful answer; throws a `MoodleError` for everything else. */
export function parseMoodleBody(call: MoodleCall, response: MoodleResponse): unknown {
  const statusError = errorFromHttpStatus(call, response);
  if (statusError) throw statusError;
  // A byte-order mark comes from a PHP file saved with one on the site; the JSON after it is fine.
  const text = response.body.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw emptyBodyError(call);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw notJsonError(call, text);
  }
  if (isMoodleExceptionBody(json)) throw errorFromException(call, json);
  return json;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fraction';
  return typeof value;
}

/** `[3].id`, `usergrades[0].gradeitems[2].graderaw`; the top level reads as "response". */
function formatPath(path: readonly PropertyKey[]): string {
  const text = path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
  return text === '' ? 'response' : text;
}

/**
 * Messages name the expected and received *types* only, never the values,
 * which may be personal data.
 */
const issueMessage: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type'
    ? `expected ${issue.expected === 'int' ? 'integer' : issue.expected}, got ${describeValue(issue.input)}`
    : undefined;

/** `at`: where `json` sits in the answer, for a part of it validated alone. */
function validate<T>(schema: z.ZodType<T>, json: unknown, wsfunction: string, at: readonly PropertyKey[] = []): T {
  const result = schema.safeParse(json, { error: issueMessage });
  if (result.success) return result.data;
  const issues = result.error.issues;
  const listed = issues
    .slice(0, MAX_REPORTED_PROBLEMS)
    .map((issue) => `${formatPath([...at, ...issue.path])}: ${issue.message}`);
  const more = issues.length > MAX_REPORTED_PROBLEMS ? ` (and ${issues.length - MAX_REPORTED_PROBLEMS} more)` : '';
  throw unexpectedShapeError(wsfunction, listed.join('; ') + more);
}

export function parseSiteInfo(json: unknown): SiteInfo {
  return validate(siteInfoSchema, json, MOODLE_FUNCTIONS.siteInfo);
}

export function parseCourses(json: unknown): MoodleCourse[] {
  return validate(coursesSchema, json, MOODLE_FUNCTIONS.courses);
}

export function parseCourseContents(json: unknown): CourseSection[] {
  return validate(courseContentsSchema, json, MOODLE_FUNCTIONS.courseContents);
}

export function parseGradeItems(json: unknown): UserGrades[] {
  return validate(gradeReportSchema, json, MOODLE_FUNCTIONS.gradeItems);
}

/** One user of a grade report read a user at a time: `usergrades[index]`. */
export function parseUserGrades(json: unknown, index: number): UserGrades {
  return validate(userGradesSchema, json, MOODLE_FUNCTIONS.gradeItems, ['usergrades', index]);
}

/** Both user functions answer the same array of user details (docs/moodle.md §7). */
export type UserListFunction = typeof MOODLE_FUNCTIONS.enrolledUsers | typeof MOODLE_FUNCTIONS.usersByField;

export function parseUsers(json: unknown, wsfunction: UserListFunction = MOODLE_FUNCTIONS.enrolledUsers): MoodleUser[] {
  return validate(usersSchema, json, wsfunction);
}
