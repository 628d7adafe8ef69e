import { apiError } from './errors';

/** Course ids are Moodle's course ids, as strings. */
export function parseCourseId(id: string, argument = 'courseId'): number {
  if (!/^\d{1,15}$/.test(id))
    throw apiError('BAD_USER_INPUT', `"${argument}" must be a course id (digits).`, { argument });
  return Number(id);
}

/** Student and enrollment ids are 24 hexadecimal digits. */
export function parseRecordId(id: string, argument: string): string {
  if (!/^[0-9a-f]{24}$/i.test(id)) throw apiError('BAD_USER_INPUT', `"${argument}" is not a valid id.`, { argument });
  return id.toLowerCase();
}

export function toDate(unixSeconds: number | null | undefined): Date | null {
  return unixSeconds === null || unixSeconds === undefined || unixSeconds === 0 ? null : new Date(unixSeconds * 1000);
}
