import type { GradeCell, SimGradeCategory, SimGradeItem } from './records';
import type { SeededGrades } from './seeded-grades';

/** One row of a user's grade report, before Moodle formatting. */
export interface ReportRow {
  item: SimGradeItem;
  /** The grade shown: an override, the activity's grade, or the computed total; null = none. */
  value: number | null;
  grademin: number;
  /** For totals: adjusted to the graded children ("exclude empty grades"). */
  grademax: number;
  /** Share of the parent category's total; absent on the course total. */
  weight?: number;
  datesubmitted: number | null;
  dategraded: number | null;
  feedback: string;
  overridden: boolean;
}

export interface UserReport {
  rows: ReportRow[];
  maxDepth: number;
}

/** Told after a user's grade in an item was set, changed or removed (see site/changes.ts). */
export type GradeChangeListener = (itemId: number, userId: number) => void;

/**
 * A course's gradebook: the category tree, the grades activities and
 * teachers set, and gradebook overrides. Totals use Moodle's default
 * "natural" aggregation with empty grades excluded, which is what the
 * shared example report shows.
 */
export class Gradebook {
  readonly top: SimGradeCategory;
  private readonly itemsById = new Map<number, SimGradeItem>();
  private readonly categoriesById = new Map<number, SimGradeCategory>();
  /** Explicitly set grades; a null cell means "ungraded", hiding any seeded grade. */
  private readonly setGrades = new Map<number, Map<number, GradeCell | null>>();
  private readonly overrides = new Map<number, Map<number, number>>();
  private seeded: SeededGrades | undefined;

  /**
   * `gradeChanged` is told of every grade set through this gradebook: tests and generators call
   * setActivityGrade and setOverride directly, so this is the one place that sees every grade change.
   */
  constructor(
    topCategoryId: number,
    courseTotal: SimGradeItem,
    private readonly gradeChanged: GradeChangeListener,
  ) {
    this.top = { id: topCategoryId, totalItemId: courseTotal.id, children: [] };
    this.categoriesById.set(topCategoryId, this.top);
    this.itemsById.set(courseTotal.id, courseTotal);
  }

  addCategory(parentId: number, categoryId: number, total: SimGradeItem): SimGradeCategory {
    const category: SimGradeCategory = { id: categoryId, totalItemId: total.id, children: [] };
    this.category(parentId).children.push({ kind: 'category', category });
    this.categoriesById.set(categoryId, category);
    this.itemsById.set(total.id, total);
    return category;
  }

  /** Appends a graded item (activity or manual) to its category, as Moodle does for new items. */
  addItem(item: SimGradeItem): void {
    if (item.categoryid === null) throw new Error(`grade item ${item.id} needs a category`);
    this.category(item.categoryid).children.push({ kind: 'item', itemId: item.id });
    this.itemsById.set(item.id, item);
  }

  item(itemId: number): SimGradeItem {
    const item = this.itemsById.get(itemId);
    if (!item) throw new Error(`no grade item ${itemId} in this course`);
    return item;
  }

  /** Every item in gradebook order: a category's children, then its total; the course total last. */
  orderedItems(): SimGradeItem[] {
    const items: SimGradeItem[] = [];
    const walk = (category: SimGradeCategory) => {
      for (const child of category.children) {
        if (child.kind === 'item') items.push(this.item(child.itemId));
        else walk(child.category);
      }
      items.push(this.item(category.totalItemId));
    };
    walk(this.top);
    return items;
  }

  /** Items that hold grades of their own (activity and manual items), not totals. */
  gradedItems(): SimGradeItem[] {
    return this.orderedItems().filter((item) => item.itemtype === 'mod' || item.itemtype === 'manual');
  }

  itemsOfModule(cmid: number): SimGradeItem[] {
    return this.orderedItems().filter((item) => item.cmid === cmid);
  }

  useSeededGrades(seeded: SeededGrades): void {
    this.seeded = seeded;
  }

  /** The grade the activity (or a teacher, for manual items) set, ignoring overrides. */
  activityGrade(itemId: number, userId: number): GradeCell | undefined {
    const set = this.setGrades.get(itemId);
    if (set?.has(userId)) return set.get(userId) ?? undefined;
    return this.seeded?.cell(this.item(itemId), userId);
  }

  setActivityGrade(itemId: number, userId: number, cell: GradeCell | null): void {
    let set = this.setGrades.get(itemId);
    if (!set) this.setGrades.set(itemId, (set = new Map()));
    set.set(userId, cell);
    this.gradeChanged(itemId, userId);
  }

  override(itemId: number, userId: number): number | undefined {
    return this.overrides.get(itemId)?.get(userId);
  }

  setOverride(itemId: number, userId: number, value: number | null): void {
    let byUser = this.overrides.get(itemId);
    if (!byUser) this.overrides.set(itemId, (byUser = new Map()));
    if (value !== null) byUser.set(userId, value);
    else if (!byUser.delete(userId)) return; // there was no override: nothing changed
    this.gradeChanged(itemId, userId);
  }

  /** The grade a report shows for a graded item: the override if any, else the activity's grade. */
  effectiveGrade(itemId: number, userId: number): number | null {
    return this.override(itemId, userId) ?? this.activityGrade(itemId, userId)?.value ?? null;
  }

  userReport(userId: number): UserReport {
    const rows: ReportRow[] = [];
    let maxDepth = 1;
    const aggregate = (category: SimGradeCategory, depth: number): ReportRow => {
      const direct: ReportRow[] = [];
      for (const child of category.children) {
        maxDepth = Math.max(maxDepth, depth + 1);
        direct.push(
          child.kind === 'item' ? this.itemRow(child.itemId, userId, rows) : aggregate(child.category, depth + 1),
        );
      }
      const total = this.totalRow(category, direct, userId);
      rows.push(total);
      return total;
    };
    aggregate(this.top, 1);
    return { rows, maxDepth };
  }

  /** The student's course total row: what the SMS shows as the enrollment's grade. */
  courseTotal(userId: number): ReportRow {
    return this.userReport(userId).rows.find((row) => row.item.itemtype === 'course')!;
  }

  private itemRow(itemId: number, userId: number, rows: ReportRow[]): ReportRow {
    const item = this.item(itemId);
    const cell = this.activityGrade(itemId, userId);
    const override = this.override(itemId, userId);
    const row: ReportRow = {
      item,
      value: override ?? cell?.value ?? null,
      grademin: item.grademin,
      grademax: item.grademax,
      datesubmitted: cell?.datesubmitted ?? null,
      dategraded: cell?.dategraded ?? null,
      feedback: cell?.feedback ?? '',
      overridden: override !== undefined,
    };
    rows.push(row);
    return row;
  }

  /** Natural aggregation: sum of the graded children; weights relative to their maxima. */
  private totalRow(category: SimGradeCategory, children: ReportRow[], userId: number): ReportRow {
    const graded = children.filter((child) => child.value !== null);
    const sumOf = (list: ReportRow[], pick: (row: ReportRow) => number) =>
      list.reduce((sum, row) => sum + pick(row), 0);
    const grademax = graded.length > 0 ? sumOf(graded, (row) => row.grademax) : sumOf(children, (row) => row.grademax);
    for (const child of children) {
      child.weight = child.value === null || grademax === 0 ? 0 : roundTo5(child.grademax / grademax);
    }
    const item = this.item(category.totalItemId);
    const override = this.override(item.id, userId);
    const dates = graded.map((row) => row.dategraded).filter((date): date is number => date !== null);
    return {
      item,
      value: override ?? (graded.length > 0 ? sumOf(graded, (row) => row.value ?? 0) : null),
      grademin: 0,
      grademax,
      datesubmitted: null,
      dategraded: dates.length > 0 ? Math.max(...dates) : null,
      feedback: '',
      overridden: override !== undefined,
    };
  }

  private category(categoryId: number): SimGradeCategory {
    const category = this.categoriesById.get(categoryId);
    if (!category) throw new Error(`no grade category ${categoryId} in this course`);
    return category;
  }
}

/** Moodle stores weights as DECIMAL(10,5). */
function roundTo5(value: number): number {
  return Math.round(value * 100_000) / 100_000;
}
