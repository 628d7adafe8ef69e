import type { GradeItem } from './moodle-data';

/** One gradebook row as the student's report card shows it; strings are verbatim Moodle output (HTML included). */
export interface ReportCardLine {
  gradeItemId: number;
  name: string;
  itemType: string;
  module: string | null;
  cmid: number | null;
  grade: string | null;
  raw: number | null;
  percentage: string | null;
  letter: string | null;
  range: string | null;
  weight: string | null;
  weightRaw: number | null;
  feedback: string | null;
  /** Unix seconds. */
  gradedAt: number | null;
  submittedAt: number | null;
  hidden: boolean;
}

/** Moodle leaves totals unnamed: category names are not in the grade report at all. */
const TOTAL_NAMES: Partial<Record<string, string>> = { course: 'Course total', category: 'Category total' };

/** Weights are shown with at most five decimals; more is a float artefact such as 0.33333000000000002. */
const WEIGHT_SCALE = 100_000;

/** One line per grade item, in gradebook order. */
export function reportCardOf(userItems: GradeItem[]): ReportCardLine[] {
  return userItems.map((item) => ({
    gradeItemId: item.id,
    name: item.itemName ?? TOTAL_NAMES[item.itemType] ?? '',
    itemType: item.itemType,
    module: item.itemModule,
    cmid: item.cmid ?? null,
    grade: item.gradeFormatted ?? null,
    raw: item.gradeRaw ?? null,
    percentage: item.percentageFormatted ?? null,
    letter: item.letterGradeFormatted ?? null,
    range: item.rangeFormatted ?? null,
    weight: item.weightFormatted ?? null,
    weightRaw: item.weightRaw === undefined ? null : Math.round(item.weightRaw * WEIGHT_SCALE) / WEIGHT_SCALE,
    feedback: item.feedback ?? null,
    gradedAt: item.gradeDateGraded ?? null,
    submittedAt: item.gradeDateSubmitted ?? null,
    hidden: item.gradeIsHidden ?? false,
  }));
}
