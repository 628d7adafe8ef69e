import { MOODLE_FUNCTIONS, type MoodleFunction } from './functions';

const MiB = 1024 * 1024;

/**
 * The most one answer of each function may weigh before the client stops reading it, so that a broken
 * site (a PHP loop printing warnings, a proxy serving a file, a body that never ends) cannot fill the
 * worker's memory. Each is far above the largest real answer (docs/moodle.md §3.3, §10):
 *
 * - A grade report read whole (one student's, or an answer that is not a report: an exception, a page)
 *   is small; 64 MiB is about 100,000 rows at the 620 bytes a user × item takes.
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

/**
 * A whole-course grade report is read a user at a time (grade-report-stream.ts), so its size costs no
 * memory: at about 620 bytes per user × item (measured on the simulator's answers), 3,000 students × 80
 * items is 144 MiB. This limit (about 860,000 rows, 10,000 students × 86 items) only stops a body that
 * would never end.
 */
export const MAX_STREAMED_GRADE_REPORT_BYTES = 512 * MiB;
