import type { GradeItem } from './moodle-data';
import { plainText, plainTextOrNull } from './plain-text';

/** One gradebook row as the student's report card shows it; Moodle's formatted strings become plain text. */
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
    name: plainText(item.itemName ?? TOTAL_NAMES[item.itemType] ?? ''),
    itemType: item.itemType,
    module: item.itemModule,
    cmid: item.cmid ?? null,
    grade: plainTextOrNull(item.gradeFormatted),
    raw: item.gradeRaw ?? null,
    percentage: plainTextOrNull(item.percentageFormatted),
    letter: plainTextOrNull(item.letterGradeFormatted),
    range: plainTextOrNull(item.rangeFormatted),
    weight: plainTextOrNull(item.weightFormatted),
    weightRaw: item.weightRaw === undefined ? null : Math.round(item.weightRaw * WEIGHT_SCALE) / WEIGHT_SCALE,
    feedback: plainTextOrNull(item.feedback),
    gradedAt: item.gradeDateGraded ?? null,
    submittedAt: item.gradeDateSubmitted ?? null,
    hidden: item.gradeIsHidden ?? false,
  }));
}
