import type { Client } from '@temporalio/client';
import type { Stores } from '../src/store';
import type { StoreTraits } from '../src/store/mongo';
import type { EnrollmentStore } from '../src/store/enrollments';
import { ENROLLMENT_SYNC_BATCH_SIZE } from '../workflows/settings';
import { pairKey } from './seed';

const MEMORY_SAMPLE_MS = 100;
const MB = 1024 * 1024;

export interface MemoryPeak {
  rssMb: number;
  heapUsedMb: number;
}

/** Samples this process's memory until stopped; returns the peaks. */
export function sampleMemory(): () => MemoryPeak {
  const peak = { rss: 0, heapUsed: 0 };
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss);
    peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
  };
  sample();
  const timer = setInterval(sample, MEMORY_SAMPLE_MS);
  return () => {
    clearInterval(timer);
    sample();
    return { rssMb: peak.rss / MB, heapUsedMb: peak.heapUsed / MB };
  };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

async function historyLength(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return history.events?.length ?? 0;
}

/** The longest history among a workflow and its batch children (`<id>-batch-<n>`). */
export async function largestHistory(
  client: Client,
  workflowId: string,
  coursesToSync = 0,
): Promise<{ workflowId: string; events: number }> {
  const children = Math.ceil(coursesToSync / ENROLLMENT_SYNC_BATCH_SIZE);
  const ids = [workflowId, ...Array.from({ length: children }, (_, index) => `${workflowId}-batch-${index + 1}`)];
  const lengths = await Promise.all(
    ids.map(async (id) => ({ workflowId: id, events: await historyLength(client, id) })),
  );
  return lengths.reduce((longest, entry) => (entry.events > longest.events ? entry : longest));
}

/** The enrollments written (data or error) since `since`, as `courseId:moodleUserId` keys. */
export async function writtenSince(enrollments: EnrollmentStore, since: Date): Promise<Set<string>> {
  const cursor = enrollments.collection.find(
    { updatedAt: { $gte: since } },
    { projection: { courseId: 1, moodleUserId: 1 } },
  );
  const keys = new Set<string>();
  for await (const { courseId, moodleUserId } of cursor) keys.add(pairKey(courseId, moodleUserId));
  return keys;
}

/**
 * The write half of the floor: the documents the sync wrote since `since`
 * (enrollments and their report cards), written again straight through the
 * driver as the sync writes them (`$set` by id, the store's batch per bulk write, `concurrency` bulk writes at
 * once, as the sync's courses do). They are read first, and only the writes
 * are timed; `updatedAt` is new, so MongoDB cannot skip them as no-ops. At
 * most `sample` documents are rewritten and the time scaled to all of them
 * (writes by id cost the same each), so the floor of a 100,000-enrollment run
 * does not take as long as the run.
 */
export async function measureDirectWrite(
  stores: Pick<Stores, 'enrollments' | 'reportCards'>,
  traits: StoreTraits,
  since: Date,
  concurrency: number,
  /** How many the run wrote (`writtenSince`), and how many of them to rewrite at most. */
  counts: { written: number; sample: number },
): Promise<{ documents: number; ms: number; sampled?: number }> {
  const documents = await stores.enrollments.collection
    .find({ updatedAt: { $gte: since } })
    .limit(counts.sample)
    .toArray();
  const cards = new Map(
    (await stores.reportCards.ofEnrollments(documents.map((document) => document._id.toHexString()))).map((card) => [
      card._id.toHexString(),
      card,
    ]),
  );
  let next = 0;
  const lane = async () => {
    for (let start = next; start < documents.length; start = next) {
      next += traits.bulkWriteBatch;
      const now = new Date();
      const batch = documents.slice(start, start + traits.bulkWriteBatch);
      const cardWrites = batch.flatMap(({ _id }) => {
        const card = cards.get(_id.toHexString());
        if (card === undefined) return [];
        const $set = { courseId: card.courseId, lines: card.lines, readAt: now, updatedAt: now };
        return [{ updateOne: { filter: { _id, readAt: { $lt: now } }, update: { $set }, upsert: true } }];
      });
      // Enrollments written with an error only have no report card to write.
      if (cardWrites.length > 0) await stores.reportCards.collection.bulkWrite(cardWrites, { ordered: true });
      await stores.enrollments.collection.bulkWrite(
        batch.map(({ _id, progress, grade, snapshotHash, syncError }) => ({
          updateOne: {
            filter: { _id },
            update: { $set: { progress, grade, snapshotHash, syncError, lastSyncedAt: now, updatedAt: now } },
          },
        })),
        { ordered: true },
      );
    }
  };
  const { ms } = await timed(() => Promise.all(Array.from({ length: concurrency }, lane)));
  if (documents.length >= counts.written) return { documents: documents.length, ms };
  return {
    documents: counts.written,
    ms: (ms * counts.written) / Math.max(1, documents.length),
    sampled: documents.length,
  };
}
