import { ObjectId, type AnyBulkWriteOperation, type Collection, type Db, type Filter } from 'mongodb';
import type { EnrollmentSnapshot } from '../domain/enrollment-snapshot';
import type { CourseGrade } from '../domain/grade';
import type { Progress } from '../domain/progress';
import type { ReportCardLine } from '../domain/report-card';
import { DuplicateRecordError, insertNew } from './errors';
import { bulkWriteInBatches, createIndexes } from './mongo';
import { findByHexId, pageById, type Page, type PageRequest } from './pagination';

/** Why the last sync could not compute this enrollment; null once it syncs again. */
export interface EnrollmentSyncError {
  code: string;
  message: string;
  at: Date;
}

export interface EnrollmentDocument {
  _id: ObjectId;
  courseId: number;
  studentId: ObjectId;
  /** Copied from the student so a sync matches gradebook rows without reading students. */
  moodleUserId: number;
  /** Null until the first successful sync. */
  progress: Progress | null;
  grade: CourseGrade | null;
  reportCard: ReportCardLine[];
  /** `snapshotHash` of what is stored, so a sync writes only enrollments whose data changed. */
  dataHash: string | null;
  /** The last sync that wrote this enrollment's data (unchanged data is not rewritten). */
  lastSyncedAt: Date | null;
  syncError: EnrollmentSyncError | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EnrollmentInput {
  courseId: number;
  studentId: ObjectId;
  moodleUserId: number;
}

/** What the enrollment sync needs to decide whether to write an enrollment. */
export type EnrollmentSyncState = Pick<EnrollmentDocument, '_id' | 'moodleUserId' | 'dataHash' | 'syncError'>;

/** One enrollment's outcome in a sync: new data, or the reason it has none. */
export type EnrollmentSyncWrite =
  | { id: ObjectId; snapshot: EnrollmentSnapshot; dataHash: string }
  | { id: ObjectId; syncError: EnrollmentSyncError };

export const ENROLLMENTS = 'enrollments';

export interface EnrollmentListQuery {
  courseId?: number;
  studentId?: ObjectId;
}

function enrollmentFilter(query: EnrollmentListQuery): Filter<EnrollmentDocument> {
  return {
    ...(query.courseId !== undefined && { courseId: query.courseId }),
    ...(query.studentId !== undefined && { studentId: query.studentId }),
  };
}

/** A new, never synced enrollment as `create` stores it (bulk loaders insert these directly). */
export function newEnrollmentDocument(input: EnrollmentInput, now: Date): EnrollmentDocument {
  return {
    _id: new ObjectId(),
    ...input,
    progress: null,
    grade: null,
    reportCard: [],
    dataHash: null,
    lastSyncedAt: null,
    syncError: null,
    createdAt: now,
    updatedAt: now,
  };
}

export class EnrollmentStore {
  readonly collection: Collection<EnrollmentDocument>;

  constructor(db: Db) {
    this.collection = db.collection<EnrollmentDocument>(ENROLLMENTS);
  }

  async ensureIndexes(): Promise<void> {
    await createIndexes(this.collection, [
      // Both fields are always set and non-null, as FerretDB needs for unique indexes.
      { key: { courseId: 1, studentId: 1 }, name: 'enrollments_pair', unique: true },
      { key: { courseId: 1, _id: 1 }, name: 'enrollments_by_course' },
      { key: { studentId: 1, _id: 1 }, name: 'enrollments_by_student' },
    ]);
  }

  /** Refuses a second enrollment of the student in the course with a DuplicateRecordError. */
  async create(input: EnrollmentInput, now: Date): Promise<EnrollmentDocument> {
    const document = newEnrollmentDocument(input, now);
    await insertNew(this.collection, document, () => new DuplicateRecordError('enrollment', `the student is already enrolled in course ${input.courseId}`));
    return document;
  }

  /** Null for an unknown or malformed id. */
  async get(id: string): Promise<EnrollmentDocument | null> {
    return findByHexId(this.collection, id);
  }

  /** A course's or a student's enrollments (or all), by page. */
  async list(query: EnrollmentListQuery, page: PageRequest): Promise<Page<EnrollmentDocument>> {
    return pageById(this.collection, enrollmentFilter(query), page);
  }

  async count(query: EnrollmentListQuery): Promise<number> {
    return this.collection.countDocuments(enrollmentFilter(query));
  }

  /** Ids of the courses that have enrollments, optionally among `courseIds`. */
  async courseIds(courseIds?: readonly number[]): Promise<number[]> {
    const filter = courseIds === undefined ? {} : { courseId: { $in: [...courseIds] } };
    return this.collection.distinct('courseId', filter);
  }

  async syncStates(courseId: number): Promise<EnrollmentSyncState[]> {
    return this.collection
      .find({ courseId }, { projection: { _id: 1, moodleUserId: 1, dataHash: 1, syncError: 1 } })
      .toArray();
  }

  /** Writes the sync's results in ordered batches, calling `afterBatch` between them (for heartbeats). */
  async writeSyncResults(writes: readonly EnrollmentSyncWrite[], now: Date, afterBatch: () => void = () => {}): Promise<void> {
    await bulkWriteInBatches(this.collection, writes.map(toOperation(now)), afterBatch);
  }
}

function toOperation(now: Date) {
  return (write: EnrollmentSyncWrite): AnyBulkWriteOperation<EnrollmentDocument> => {
    const $set: Partial<EnrollmentDocument> =
      'snapshot' in write
        ? { ...write.snapshot, dataHash: write.dataHash, syncError: null, lastSyncedAt: now, updatedAt: now }
        : { syncError: write.syncError, updatedAt: now };
    return { updateOne: { filter: { _id: write.id }, update: { $set } } };
  };
}
