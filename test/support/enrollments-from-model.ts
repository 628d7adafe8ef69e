import type { SiteModel } from '../../src/moodle-sim';
import type { Stores } from '../../src/store';
import { expectedProgress } from './expected-progress';

/**
 * After a sync that went through a fault: every enrollment is there once, holds what the simulator's
 * model says (progress computed independently, the course total, one report card of the gradebook's
 * rows), carries no error, and was written by a sync after `since`. Returns nothing; fails with the
 * first enrollment that differs.
 */
export async function expectEnrollmentsFromModel(
  stores: Stores,
  site: SiteModel,
  options: { enrollments: number; since: Date },
): Promise<void> {
  const enrollments = await stores.enrollments.collection.find({}).toArray();
  expect(enrollments).toHaveLength(options.enrollments);
  // One report card per enrollment, keyed by its id: a duplicate would be a second document.
  expect(await stores.reportCards.collection.countDocuments()).toBe(options.enrollments);
  const cards = new Map(
    (await stores.reportCards.collection.find({}).toArray()).map((card) => [card._id.toHexString(), card]),
  );
  for (const enrollment of enrollments) {
    const { courseId, moodleUserId } = enrollment;
    const rows = site.gradebook(courseId).userReport(moodleUserId).rows;
    const courseTotal = rows.find((row) => row.item.itemtype === 'course')!;
    expect({ courseId, moodleUserId, progress: enrollment.progress }).toEqual({
      courseId,
      moodleUserId,
      progress: expectedProgress(site, courseId, moodleUserId),
    });
    expect(enrollment.grade).toMatchObject({
      raw: courseTotal.value,
      min: courseTotal.grademin,
      max: courseTotal.grademax,
    });
    const card = cards.get(enrollment._id.toHexString());
    expect(card?.courseId).toBe(courseId);
    expect(card?.lines.map((line) => [line.gradeItemId, line.raw])).toEqual(
      rows.map((row) => [row.item.id, row.value]),
    );
    expect(enrollment.syncError).toBeNull();
    expect(enrollment.lastSyncedAt!.getTime()).toBeGreaterThanOrEqual(options.since.getTime());
  }
}
