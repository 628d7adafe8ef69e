import type { GradeItem } from './moodle-data';
import type { CourseActivityIndex } from './course-modules';

/** Both counts are kept so the percentage can be explained to a student or teacher. */
export interface Progress {
  /** graded ÷ total × 100, two decimals; null when it cannot be known. */
  percent: number | null;
  graded: number;
  /** Non-hidden activities. */
  total: number;
  unknownReason?: 'grades-hidden-by-report';
}

/** `userItems` are one student's rows of the course gradebook. */
export function computeProgress(index: CourseActivityIndex, userItems: GradeItem[]): Progress {
  const counted = [...index.activities.values()].filter((activity) => !activity.hidden);
  if (gradesHiddenByReport(userItems)) {
    // Reporting 0 % here would tell every student they did nothing; the sync reports the course instead.
    return { percent: null, graded: 0, total: counted.length, unknownReason: 'grades-hidden-by-report' };
  }
  if (counted.length === 0) return { percent: 0, graded: 0, total: 0 };

  const gradeById = new Map(userItems.map((item) => [item.id, item.gradeRaw]));
  // An override counts, so only the final grade matters; feedback or a grading date alone leaves it null.
  const graded = counted.filter((activity) => gradeById.get(activity.mainGradeItemId) != null).length;
  // Integer numerator so the division is the only rounding step before the final one.
  const percent = Math.round((graded * 10_000) / counted.length) / 100;
  return { percent, graded, total: counted.length };
}

/** With the user report's "Show grade" off, Moodle drops `graderaw` from every row instead of sending null. */
function gradesHiddenByReport(userItems: GradeItem[]): boolean {
  const modItems = userItems.filter((item) => item.itemType === 'mod');
  return modItems.length > 0 && modItems.every((item) => item.gradeRaw === undefined);
}
