import type { SiteModel } from '../src/moodle-sim';

/**
 * Gives the student another grade in a visible graded activity, as a teacher would, choosing one whose
 * change moves the course total (so the change is visible in the SMS); returns the new total.
 */
export function changeGrade(site: SiteModel, courseId: number, userId: number): number | null {
  const before = site.gradebook(courseId).courseTotal(userId).value;
  const items = site
    .gradeItems(courseId)
    .filter((item) => item.itemtype === 'mod' && item.cmid !== undefined && site.module(courseId, item.cmid).visible);
  for (const item of items) {
    const cmid = item.cmid as number;
    const itemNumber = item.itemnumber ?? 0;
    const current = site.gradeOf(courseId, userId, cmid, itemNumber);
    site.grade(courseId, userId, cmid, current === item.grademax ? item.grademin : item.grademax, { itemNumber });
    const after = site.gradebook(courseId).courseTotal(userId).value;
    if (after !== before) return after;
  }
  throw new Error(`no grade of user ${userId} in course ${courseId} moves the course total`);
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}
