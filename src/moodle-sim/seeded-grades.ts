import type { GradeCell, SimGradeItem } from './records';
import { MODULE_KINDS } from './module-kinds';
import { unitHash } from './random';
import { DAY } from './units';

/**
 * Grades of a generated course, computed on demand from a seed instead of
 * stored: a 5,000-course site holds millions of cells, and only the few that
 * tests change are kept explicitly (see Gradebook).
 */

export interface SeedPlan {
  seed: number;
  /** Chance that a seeded student has a grade in a seeded item. */
  cellProbability: number;
  /** Students that received grades at generation; everybody else has none. */
  gradedUserIds: readonly number[];
  /** Grades are dated in the first 100 days after this (unix seconds). */
  startdate: number;
}

/** Short teacher comments; stored once and shared by every cell that uses them. */
export const FEEDBACK_SNIPPETS: readonly string[] = [
  '<p>Well done.</p>',
  '<p>Good structure. <strong>Work on your references</strong> next time.</p>',
  '<p>See the comments in the attached file.</p>',
  '<p>Late submission &ndash; penalty applied.</p>',
  '<p>Excellent analysis, see <a href="https://example.org/style-guide">the style guide</a> for citations.</p>',
  '<p>Resubmission accepted.</p>',
];

export class SeededGrades {
  private readonly seed: number;
  private readonly cellProbability: number;
  private readonly startdate: number;
  private readonly gradedUsers: Int32Array;
  private readonly itemIds: ReadonlySet<number>;

  constructor(plan: SeedPlan, items: readonly SimGradeItem[]) {
    this.seed = plan.seed;
    this.cellProbability = plan.cellProbability;
    this.startdate = plan.startdate;
    this.gradedUsers = Int32Array.from(plan.gradedUserIds).sort();
    this.itemIds = new Set(items.map((item) => item.id));
  }

  /** The generated grade, or undefined when the generator gave none. */
  cell(item: SimGradeItem, userId: number): GradeCell | undefined {
    if (!this.itemIds.has(item.id) || !this.hasGradedUser(userId)) return undefined;
    const draw = (step: number) => unitHash(this.seed, item.id, userId, step);
    if (draw(0) >= this.cellProbability) return undefined;
    const dategraded = this.startdate + Math.floor(draw(2) * 100 * DAY);
    const submitted = item.itemmodule !== null && MODULE_KINDS[item.itemmodule].hasSubmissions;
    const feedback = draw(4) < 0.12 ? FEEDBACK_SNIPPETS[Math.floor(draw(5) * FEEDBACK_SNIPPETS.length)] : undefined;
    return {
      value: seededValue(item, draw(1)),
      feedback: feedback ?? '',
      datesubmitted:
        item.itemtype === 'manual' ? null : submitted ? dategraded - Math.floor(draw(3) * 3 * DAY) : dategraded,
      dategraded,
    };
  }

  private hasGradedUser(userId: number): boolean {
    let low = 0;
    let high = this.gradedUsers.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const candidate = this.gradedUsers[middle] as number;
      if (candidate === userId) return true;
      if (candidate < userId) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }
}

/** Skewed towards good marks, in steps a teacher would use (so the values are exact binary fractions). */
function seededValue(item: SimGradeItem, draw: number): number {
  const share = Math.sqrt(draw);
  if (item.scale) return Math.min(item.scale.length, 1 + Math.floor(share * item.scale.length));
  const step = item.grademax - item.grademin <= 10 ? 0.25 : 0.5;
  const raw = item.grademin + (0.35 + 0.65 * share) * (item.grademax - item.grademin);
  return Math.min(item.grademax, Math.round(raw / step) * step);
}
