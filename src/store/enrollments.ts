import { ObjectId, type AnyBulkWriteOperation, type Collection, type Db, type Filter } from 'mongodb';
import type { EnrollmentSnapshot } from '../domain/enrollment-snapshot';
import type { CourseGrade } from '../domain/grade';
import type { Progress } from '../domain/progress';
import type { ReportCardLine } from '../domain/report-card';
import { DuplicateRecordError, insertNew } from './errors';
import { bulkWriteInBatches, createIndexes, type StoreTraits } from './mongo';
import { findByHexId, pageById, type Page, type PageRequest } from './pagination';
import type { ReportCardStore } from './report-cards';

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
  /**
   * `snapshotHash` of what the last sync stored (this document and its report
   * card, kept apart in `report_cards`), so a sync writes only enrollments whose
   * data changed. Named anew when the report card moved out: documents of the
   * older layout have none, so the next sync rewrites them in the new one.
   */
  snapshotHash: string | null;
  /**
   * The report card as the layout before `report_cards` kept it inside the
   * enrollment; the enrollment's next write of new data removes it. Until then the API
   * serves it (a course deleted from Moodle is never written again).
   */
  reportCard?: ReportCardLine[];
  /** The last sync that wrote this enrollment's data (unchanged data is not rewritten). */
  lastSyncedAt: Date | null;
  syncError: EnrollmentSyncError | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A student's id as a document holds it, or as its 24 hex digits (how callers outside the store name it). */
export type StudentRef = ObjectId | string;

export interface EnrollmentInput {
  courseId: number;
  studentId: StudentRef;
  moodleUserId: number;
}

/** What the enrollment sync needs to decide whether to write an enrollment. */
export type EnrollmentSyncState = Pick<EnrollmentDocument, '_id' | 'moodleUserId' | 'snapshotHash' | 'syncError'>;

/** One enrollment's outcome in a sync: new data, or the reason it has none. */
export type EnrollmentSyncWrite =
  | { id: ObjectId; snapshot: EnrollmentSnapshot; snapshotHash: string }
  | { id: ObjectId; syncError: EnrollmentSyncError };

export const ENROLLMENTS = 'enrollments';

export interface EnrollmentListQuery {
  courseId?: number;
  studentId?: StudentRef;
}

function studentObjectId(student: StudentRef): ObjectId {
  return typeof student === 'string' ? new ObjectId(student) : student;
}

function enrollmentFilter(query: EnrollmentListQuery): Filter<EnrollmentDocument> {
  return {
    ...(query.courseId !== undefined && { courseId: query.courseId }),
    ...(query.studentId !== undefined && { studentId: studentObjectId(query.studentId) }),
  };
}

/** A new, never synced enrollment as `create` stores it (bulk loaders insert these directly). */
export function newEnrollmentDocument(input: EnrollmentInput, now: Date): EnrollmentDocument {
  return {
    _id: new ObjectId(),
    ...input,
    studentId: studentObjectId(input.studentId),
    progress: null,
    grade: null,
    snapshotHash: null,
    lastSyncedAt: null,
    syncError: null,
    createdAt: now,
    updatedAt: now,
  };
}

export class EnrollmentStore {
  readonly collection: Collection<EnrollmentDocument>;

  constructor(
    db: Db,
    private readonly traits: StoreTraits,
  ) {
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
    await insertNew(
      this.collection,
      document,
      () => new DuplicateRecordError('enrollment', `the student is already enrolled in course ${input.courseId}`),
    );
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
    if (courseIds === undefined) return this.collection.distinct('courseId', {});
    if (!this.traits.equalityOnly) return this.collection.distinct('courseId', { courseId: { $in: [...courseIds] } });
    const found = await Promise.all(
      courseIds.map((courseId) => this.collection.findOne({ courseId }, { projection: { _id: 1 } })),
    );
    return courseIds.filter((_, index) => found[index] !== null);
  }

  async syncStates(courseId: number): Promise<EnrollmentSyncState[]> {
    return this.collection
      .find({ courseId }, { projection: { _id: 1, moodleUserId: 1, snapshotHash: 1, syncError: 1 } })
      .toArray();
  }

  /**
   * Writes the sync's results in ordered batches, calling `afterBatch` between
   * them (for heartbeats). Report cards first: if the attempt dies before the
   * enrollments are written, their hashes are still the old ones and the next
   * sync writes both again. `readAt` is when the attempt read Moodle: a card
   * of newer data is never replaced (ReportCardDocument.readAt).
   */
  async writeSyncResults(
    reportCards: ReportCardStore,
    course: { courseId: number; readAt: Date },
    writes: readonly EnrollmentSyncWrite[],
    now: Date,
    afterBatch: () => void = () => {},
  ): Promise<void> {
    const withData = writes.flatMap((write) => ('snapshot' in write ? [write] : []));
    await reportCards.write(
      withData.map(({ id, snapshot }) => ({ enrollmentId: id, courseId: course.courseId, lines: snapshot.reportCard })),
      course.readAt,
      now,
      afterBatch,
    );
    await bulkWriteInBatches(this.collection, this.traits, writes.map(toOperation(now)), afterBatch);
  }
}

function toOperation(now: Date) {
  return (write: EnrollmentSyncWrite): AnyBulkWriteOperation<EnrollmentDocument> => {
    if (!('snapshot' in write)) {
      return {
        updateOne: { filter: { _id: write.id }, update: { $set: { syncError: write.syncError, updatedAt: now } } },
      };
    }
    const { reportCard: _lines, ...snapshot } = write.snapshot;
    const $set = { ...snapshot, snapshotHash: write.snapshotHash, syncError: null, lastSyncedAt: now, updatedAt: now };
    // The older layout's fields go with the first write in the new one.
    return { updateOne: { filter: { _id: write.id }, update: { $set, $unset: { reportCard: '', dataHash: '' } } } };
  };
}
