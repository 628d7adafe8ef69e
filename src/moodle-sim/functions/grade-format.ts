import type { SimGradeItem } from '../records';

/**
 * The display strings of the user report in English with Moodle's defaults:
 * two decimals, en-dash ranges as HTML entities, default letter boundaries.
 */

const NO_GRADE = '-';

/** Moodle's default grade letters (highest boundary first). */
const LETTERS: readonly [number, string][] = [
  [93, 'A'],
  [90, 'A-'],
  [87, 'B+'],
  [83, 'B'],
  [80, 'B-'],
  [77, 'C+'],
  [73, 'C'],
  [70, 'C-'],
  [67, 'D+'],
  [60, 'D'],
  [0, 'F'],
];

const PASS_ICON =
  '<i class="icon fa fa-check text-success fa-fw inline" title="Pass" role="img" aria-label="Pass"></i>';
const FAIL_ICON = '<i class="icon fa fa-times text-danger fa-fw inline" title="Fail" role="img" aria-label="Fail"></i>';

export function formatGrade(item: SimGradeItem, value: number | null): string {
  if (value === null) return NO_GRADE;
  if (item.scale) return item.scale[Math.round(value) - 1] ?? NO_GRADE;
  const icon = item.gradepass ? (value >= item.gradepass ? PASS_ICON : FAIL_ICON) : '';
  return `${icon}${value.toFixed(2)}`;
}

export function formatRange(item: SimGradeItem, grademin: number, grademax: number): string {
  if (item.scale) return `${item.scale[0] ?? ''}&ndash;${item.scale[item.scale.length - 1] ?? ''}`;
  return `${formatBound(grademin)}&ndash;${formatBound(grademax)}`;
}

/** Percentage of the range, rounded as displayed; undefined when there is no grade or no range. */
export function percentageOf(value: number | null, grademin: number, grademax: number): number | undefined {
  if (value === null || grademax <= grademin) return undefined;
  return Math.round(((value - grademin) / (grademax - grademin)) * 10_000) / 100;
}

export function formatPercentage(percentage: number | undefined): string {
  return percentage === undefined ? NO_GRADE : `${percentage.toFixed(2)} %`;
}

export function letterFor(percentage: number | undefined): string {
  if (percentage === undefined) return NO_GRADE;
  return LETTERS.find(([boundary]) => percentage >= boundary)?.[1] ?? 'F';
}

function formatBound(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
