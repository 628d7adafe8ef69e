import type { Stores } from '../../src/store';

/**
 * What the SMS holds of the syncs' results: every enrollment (progress, grade, hash, error,
 * lastSyncedAt…) and every report card, in _id order, for comparing before and after a fault.
 */
export async function smsSnapshot(stores: Stores): Promise<{ enrollments: unknown[]; reportCards: unknown[] }> {
  const [enrollments, reportCards] = await Promise.all([
    stores.enrollments.collection.find({}).sort({ _id: 1 }).toArray(),
    stores.reportCards.collection.find({}).sort({ _id: 1 }).toArray(),
  ]);
  return { enrollments, reportCards };
}
