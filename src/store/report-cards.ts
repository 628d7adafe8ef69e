import type { AnyBulkWriteOperation, Collection, Db, ObjectId } from 'mongodb';
import type { ReportCardLine } from '../domain/report-card';
import { createIndexes, findWhereIn, upsertInBatchesUnlessNewer, type StoreTraits } from './mongo';
import { parseObjectId } from './pagination';

/**
 * An enrollment's report card, kept apart from the enrollment (MongoDB's
 * subset pattern): the lines are most of an enrollment's size, and the
 * enrollment sync and the list pages read every enrollment of a course
 * without them. Measured on the embedded store, 1,500 enrollments of one
 * course are read in ~0.2 s without their lines and ~1.5 s with them
 * (docs/local-store.md).
 */
export interface ReportCardDocument {
  /** The enrollment's `_id`. */
  _id: ObjectId;
  courseId: number;
  lines: ReportCardLine[];
  /**
   * When the Moodle data behind the lines was read. A write of older data
   * never replaces newer lines: two attempts at one course (a retry while a
   * stalled one still runs) could otherwise leave the enrollment's hash of the
   * newer data beside the older lines, and no later sync would notice.
   */
  readAt: Date;
  updatedAt: Date;
}

export const REPORT_CARDS = 'report_cards';

export interface ReportCardWrite {
  enrollmentId: ObjectId;
  courseId: number;
  lines: ReportCardLine[];
}

export class ReportCardStore {
  readonly collection: Collection<ReportCardDocument>;

  constructor(
    db: Db,
    private readonly traits: StoreTraits,
  ) {
    this.collection = db.collection<ReportCardDocument>(REPORT_CARDS);
  }

  async ensureIndexes(): Promise<void> {
    await createIndexes(this.collection, [{ key: { courseId: 1 }, name: 'report_cards_by_course' }]);
  }

  /** The report cards of the enrollments (hex ids); an enrollment never synced has none. */
  async ofEnrollments(enrollmentIds: readonly string[]): Promise<ReportCardDocument[]> {
    const ids = enrollmentIds.flatMap((id) => parseObjectId(id) ?? []);
    return findWhereIn(this.collection, this.traits, '_id', ids);
  }

  /**
   * Upserts by enrollment id, unless the stored card was read from Moodle
   * later than `readAt`, in ordered batches, calling `afterBatch` between them
   * (for heartbeats).
   */
  async write(
    writes: readonly ReportCardWrite[],
    readAt: Date,
    now: Date,
    afterBatch: () => void = () => {},
  ): Promise<void> {
    const operations = writes.map(({ enrollmentId, courseId, lines }): AnyBulkWriteOperation<ReportCardDocument> => ({
      updateOne: {
        filter: { _id: enrollmentId, readAt: { $lt: readAt } },
        update: { $set: { courseId, lines, readAt, updatedAt: now } },
        upsert: true,
      },
    }));
    await upsertInBatchesUnlessNewer(this.collection, this.traits, operations, afterBatch);
  }
}
