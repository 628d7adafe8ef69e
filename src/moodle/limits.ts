import { MOODLE_FUNCTIONS, type MoodleFunction } from './functions';

const MiB = 1024 * 1024;

/**
 * The most one answer of each function may weigh before the client stops reading it, so that a broken
 * site (a PHP loop printing warnings, a proxy serving a file, a body that never ends) cannot fill the
 * worker's memory. Each is far above the largest real answer (docs/moodle.md §3.3, §10):
 *
 * - A whole-course grade report is about 700 bytes per user × item: 500 students × 60 items, 30,000
 *   rows, is around 20 MB and takes Moodle minutes to build. 64 MiB is about 95,000 rows (1,500
 *   students × 60 items), roughly what Moodle can build within the grade report's 300 s deadline.
 * - The course list has no paging and is tens of MB on very large sites (1–3 KB per course with its
 *   summary): 64 MiB is 20,000 to 60,000 courses.
 * - Site info, one course's contents (without module contents) and user lists are well under 1 MB on
 *   ordinary sites and a few MB on huge ones: 16 MiB.
 *
 * The client's connection bound (MOODLE_MAX_CONNECTIONS) bounds the answers being read at once, so the
 * bodies held in memory stay under the sum of the limits of that many calls.
 */
export const MAX_RESPONSE_BYTES: Readonly<Record<MoodleFunction, number>> = {
  [MOODLE_FUNCTIONS.siteInfo]: 16 * MiB,
  [MOODLE_FUNCTIONS.courses]: 64 * MiB,
  [MOODLE_FUNCTIONS.courseContents]: 16 * MiB,
  [MOODLE_FUNCTIONS.gradeItems]: 64 * MiB,
  [MOODLE_FUNCTIONS.enrolledUsers]: 16 * MiB,
  [MOODLE_FUNCTIONS.usersByField]: 16 * MiB,
};
