import type { GradeItem } from './moodle-data';
import { plainTextOrNull } from './plain-text';

/**
 * The course total exactly as the gradebook reports it, so custom scales, letters and aggregations configured in
 * Moodle are respected. Formatted strings are Moodle's, made plain text so that no markup reaches SMS screens.
 */
export interface CourseGrade {
  raw: number | null;
  formatted: string | null;
  percentage: string | null;
  letter: string | null;
  /** Per-user adjusted bounds (docs/moodle.md §5.2). */
  min: number | null;
  max: number | null;
  range: string | null;
}

/** Null when the gradebook has no course total row (hidden from the token user). */
export function courseGradeOf(userItems: GradeItem[]): CourseGrade | null {
  const total = userItems.find((item) => item.itemType === 'course');
  if (total === undefined) return null;
  return {
    raw: total.gradeRaw ?? null,
    formatted: plainTextOrNull(total.gradeFormatted),
    percentage: plainTextOrNull(total.percentageFormatted),
    letter: plainTextOrNull(total.letterGradeFormatted),
    min: total.gradeMin ?? null,
    max: total.gradeMax ?? null,
    range: plainTextOrNull(total.rangeFormatted),
  };
}
