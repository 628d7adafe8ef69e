/**
 * One frozen empty list for every record without custom fields, groups or
 * dates: a 5,000-course site has 250,000 enrolments, and an array each would
 * dominate its memory.
 */
export const NONE: readonly never[] = Object.freeze([]);
