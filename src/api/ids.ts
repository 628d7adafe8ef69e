import { apiError } from './errors';

/** Course ids are Moodle's course ids, as strings. */
export function parseCourseId(id: string, argument = 'courseId'): number {
  if (!/^\d{1,15}$/.test(id))
    throw apiError('BAD_USER_INPUT', `"${argument}" must be a course id (digits).`, { argument });
  return Number(id);
}

/**
 * Most course ids one argument takes. More than any admin selects by hand; a longer list is a mistake or an
 * attack (each id is one database lookup on FerretDB).
 */
export const MAX_COURSE_IDS = 1000;

/** A list of course ids, without repeats; undefined when the argument was not given. */
export function parseCourseIds(
  ids: readonly string[] | null | undefined,
  argument = 'courseIds',
): number[] | undefined {
  if (ids === null || ids === undefined) return undefined;
  if (ids.length > MAX_COURSE_IDS)
    throw apiError('BAD_USER_INPUT', `"${argument}" takes at most ${MAX_COURSE_IDS} ids.`, { argument });
  return [...new Set(ids.map((id) => parseCourseId(id, argument)))];
}

/** Longest free text an argument takes: Moodle's own fields (email, id number) hold at most 255 characters. */
export const MAX_TEXT_LENGTH = 255;

/** Free text (a search, an email): taken as written, never as a query; only its length is checked. */
export function parseText(text: string, argument: string): string {
  if (text.length > MAX_TEXT_LENGTH)
    throw apiError('BAD_USER_INPUT', `"${argument}" is longer than ${MAX_TEXT_LENGTH} characters.`, { argument });
  return text;
}

/** Student and enrollment ids are 24 hexadecimal digits. */
export function parseRecordId(id: string, argument: string): string {
  if (!/^[0-9a-f]{24}$/i.test(id)) throw apiError('BAD_USER_INPUT', `"${argument}" is not a valid id.`, { argument });
  return id.toLowerCase();
}

export function toDate(unixSeconds: number | null | undefined): Date | null {
  return unixSeconds === null || unixSeconds === undefined || unixSeconds === 0 ? null : new Date(unixSeconds * 1000);
}
