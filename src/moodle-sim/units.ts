/** Moodle times are unix seconds. */
export const DAY = 86_400;
