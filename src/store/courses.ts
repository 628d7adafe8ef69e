import type { AnyBulkWriteOperation, Collection, Db, Filter } from 'mongodb';
import type { CourseMoodleFields, CourseRecord, CourseState } from '../domain/course';
import type { CourseDiff } from '../domain/course-diff';
import type { FollowedCourse } from '../domain/grade-staleness';
import type { SyncTrigger } from '../domain/sync-run';
import { bulkWriteInBatches, createIndexes, escapeRegex, findWhereIn, insertMissing, type StoreTraits } from './mongo';
import { InvalidCursorError } from './errors';
import { pageByKey, type Page, type PageRequest } from './pagination';

export interface CourseDocument {
  /** The Moodle course id: stable, and makes every write an idempotent upsert. */
  _id: number;
  state: CourseState;
  moodle: CourseMoodleFields;
  /**
   * Lower-case short name, full name and id number: FerretDB has no collation,
   * so case-insensitive search runs on this copy.
   */
  searchText: string;
  /** Mirrors `lmsDeletedAt !== null` so the Courses tab filters on an indexed boolean. */
  deleted: boolean;
  lmsDeletedAt: Date | null;
  createdAt: Date;
  /** Last time the sync or an admin changed the document. */
  updatedAt: Date;
  stateChangedAt: Date | null;
  /**
   * Last time the enrollment sync read this course's gradebook into its enrollments (the last successful
   * sync of its grades, GraphQL `Course.lastSyncedAt`); absent before the first time.
   */
  enrollmentsSyncedAt?: Date;
  /**
   * Last time the enrollment sync tried this course, successfully or not: written with
   * `enrollmentsSyncedAt` on success, alone when a failure is recorded. Absent on documents not tried
   * since the field was added (their last try is then `enrollmentsSyncedAt`, if any).
   */
  enrollmentsSyncAttemptedAt?: Date;
  /** What started that last try; absent with it. */
  enrollmentsSyncTrigger?: SyncTrigger;
  /**
   * When the API enrolled the first student in a course the enrollment sync had not tried yet. With the
   * two dates above it says the SMS follows the course (`isFollowed`) without reading enrollments, and
   * a course followed lately is not stale for having been known long before.
   */
  followedAt?: Date;
  /**
   * Users in the course's gradebook at its last full (`userid=0`) download:
   * the enrollment sync compares it with the SMS enrollments to choose
   * per-student downloads for courses the SMS follows only a few students of.
   */
  gradebookUsers?: number;
  /** When `gradebookUsers` was counted; absent on documents written before the count was dated. */
  gradebookCountedAt?: Date;
}

export const COURSES = 'courses';

/**
 * Ids beyond which the embedded store reads every course instead of one
 * equality query per id: a query by id costs ~3 ms there and decoding a small
 * document ~0.1 ms (docs/local-store.md), so a few hundred queries cost more
 * than reading 5,000 courses.
 */
const WHOLE_READ_AFTER = 200;

/** The Courses tab's filters. */
export interface CourseListQuery {
  states: readonly CourseState[];
  /** Any part of the short name, full name or id number, case-insensitively. */
  search?: string;
  includeDeleted: boolean;
}

function courseListFilter(query: CourseListQuery): Filter<CourseDocument> {
  return {
    // One state as plain equality, which FerretDB pushes down to its database (an `$in` it does not).
    state: query.states.length === 1 ? query.states[0] : { $in: [...query.states] },
    ...(!query.includeDeleted && { deleted: false }),
    ...(query.search !== undefined &&
      query.search.trim() !== '' && { searchText: { $regex: escapeRegex(query.search.trim().toLowerCase()) } }),
  };
}

function searchTextOf(moodle: CourseMoodleFields): string {
  return [moodle.shortName, moodle.fullName, moodle.idNumber ?? ''].join(' ').toLowerCase();
}

export function toCourseRecord(document: CourseDocument): CourseRecord {
  return {
    moodleId: document._id,
    state: document.state,
    moodle: document.moodle,
    lmsDeletedAt: document.lmsDeletedAt,
  };
}

/**
 * True when the SMS follows the course: it has SMS enrollments. The enrollment sync tries only courses
 * with enrollments, enrollments are never removed, and the API marks a course when it enrolls a student
 * before any try; so the course document says it, and nobody reads 100,000 enrollments to find out
 * (`distinct('courseId')` takes 10–15 s on the embedded store, measured).
 */
export function isFollowed(
  course: Pick<CourseDocument, 'followedAt' | 'enrollmentsSyncedAt' | 'enrollmentsSyncAttemptedAt'>,
): boolean {
  return (
    course.followedAt !== undefined ||
    course.enrollmentsSyncedAt !== undefined ||
    course.enrollmentsSyncAttemptedAt !== undefined
  );
}

/** When the course's grades last synced, were last tried, and what started that try: null for "never". */
export interface CourseGradesSync {
  lastSyncedAt: Date | null;
  lastAttemptAt: Date | null;
  lastSyncTrigger: SyncTrigger | null;
}

export function gradesSyncOf(course: CourseDocument): CourseGradesSync {
  const lastSyncedAt = course.enrollmentsSyncedAt ?? null;
  return {
    lastSyncedAt,
    // Documents last synced before tries were recorded: that sync is the last try known.
    lastAttemptAt: course.enrollmentsSyncAttemptedAt ?? lastSyncedAt,
    lastSyncTrigger: course.enrollmentsSyncTrigger ?? null,
  };
}

export class CourseStore {
  readonly collection: Collection<CourseDocument>;

  constructor(
    db: Db,
    private readonly traits: StoreTraits,
  ) {
    this.collection = db.collection<CourseDocument>(COURSES);
  }

  async ensureIndexes(): Promise<void> {
    await createIndexes(this.collection, [
      { key: { deleted: 1, state: 1, _id: 1 }, name: 'courses_tab' },
      { key: { searchText: 1 }, name: 'courses_search' },
    ]);
  }

  async all(): Promise<CourseRecord[]> {
    const documents = await this.collection.find({}).toArray();
    return documents.map(toCourseRecord);
  }

  async getMany(moodleIds: readonly number[]): Promise<CourseDocument[]> {
    return findWhereIn(this.collection, this.traits, '_id', moodleIds);
  }

  /** `after` is the Moodle id of the last course of the previous page. */
  async list(query: CourseListQuery, page: PageRequest): Promise<Page<CourseDocument>> {
    const after = page.after === undefined ? undefined : Number(page.after);
    if (after !== undefined && !Number.isSafeInteger(after)) throw new InvalidCursorError(page.after as string);
    return pageByKey(this.collection, courseListFilter(query), { first: page.first, after });
  }

  async count(query: CourseListQuery): Promise<number> {
    return this.collection.countDocuments(courseListFilter(query));
  }

  async get(moodleId: number): Promise<CourseDocument | null> {
    return this.collection.findOne({ _id: moodleId });
  }

  /** Writes exactly what the diff says changed; returns the number of documents written. */
  async applyDiff(diff: CourseDiff, now: Date): Promise<number> {
    await insertMissing(
      this.collection,
      diff.created.map((course) => ({
        _id: course.moodleId,
        state: course.state,
        moodle: course.moodle,
        searchText: searchTextOf(course.moodle),
        deleted: false,
        lmsDeletedAt: null,
        createdAt: now,
        updatedAt: now,
        stateChangedAt: null,
      })),
    );
    const operations: AnyBulkWriteOperation<CourseDocument>[] = [
      ...diff.changed.map(({ moodleId, moodle }) => ({
        updateOne: {
          filter: { _id: moodleId },
          update: { $set: { moodle, searchText: searchTextOf(moodle), updatedAt: now } },
        },
      })),
      ...diff.restored.map(({ moodleId, moodle }) => ({
        updateOne: {
          filter: { _id: moodleId },
          update: {
            $set: { moodle, searchText: searchTextOf(moodle), deleted: false, lmsDeletedAt: null, updatedAt: now },
          },
        },
      })),
    ];
    if (diff.deleted.length > 0) {
      operations.push({
        updateMany: {
          filter: { _id: { $in: diff.deleted }, deleted: false },
          update: { $set: { deleted: true, lmsDeletedAt: now, updatedAt: now } },
        },
      });
    }
    await bulkWriteInBatches(this.collection, this.traits, operations);
    return diff.created.length + diff.changed.length + diff.restored.length + diff.deleted.length;
  }

  /** Marks courses deleted (an admin confirming held deletions); returns the ids it changed. */
  async markDeleted(moodleIds: number[], now: Date): Promise<number[]> {
    const pending = await this.collection
      .find({ _id: { $in: moodleIds }, deleted: false }, { projection: { _id: 1 } })
      .toArray();
    const ids = pending.map((document) => document._id);
    if (ids.length > 0) {
      await this.collection.updateMany(
        { _id: { $in: ids } },
        { $set: { deleted: true, lmsDeletedAt: now, updatedAt: now } },
      );
    }
    return ids;
  }

  /** Splits `moodleIds` into the courses still in Moodle and the ones marked deleted (unknown ids are in neither). */
  async partitionDeleted(moodleIds: readonly number[]): Promise<{ live: number[]; deleted: number[] }> {
    const projection = { _id: 1, deleted: 1 };
    let found: Pick<CourseDocument, '_id' | 'deleted'>[];
    if (this.traits.equalityOnly && moodleIds.length > WHOLE_READ_AFTER) {
      // A full sync asks about every course: one read of them all costs less than one query each.
      const wanted = new Set(moodleIds);
      found = (await this.collection.find({}, { projection }).toArray()).filter((document) => wanted.has(document._id));
    } else {
      found = await findWhereIn(this.collection, this.traits, '_id', moodleIds, { projection });
    }
    const documents = found.sort((a, b) => a._id - b._id);
    return {
      live: documents.filter((document) => !document.deleted).map((document) => document._id),
      deleted: documents.filter((document) => document.deleted).map((document) => document._id),
    };
  }

  /**
   * OPEN courses, not deleted, whose enrollments last synced before `cutoff`. Only courses with
   * enrollments are ever synced, and enrollments are never removed, so `enrollmentsSyncedAt` also
   * says the course has some; one never synced yet is not counted (its failure is an open sync error).
   * The equality part is what the embedded store pushes down (`courses_tab`'s fields); the date is
   * then compared on OPEN courses only (docs/local-store.md).
   */
  async countStale(cutoff: Date): Promise<number> {
    return this.collection.countDocuments({ state: 'OPEN', deleted: false, enrollmentsSyncedAt: { $lt: cutoff } });
  }

  /**
   * Followed courses (`isFollowed`) not deleted, with what their grades' age is judged by. One read of the
   * live courses, small documents: `deleted` is what the embedded store pushes down (docs/local-store.md),
   * and which of them are followed is decided here. For the stale courses and the oldest course data of
   * `syncStatus`, `staleCourses` and `sms-sync status`, not for every `/metrics` scrape.
   */
  async followedLive(): Promise<FollowedCourse[]> {
    const documents = await this.collection
      .find(
        { deleted: false },
        {
          projection: {
            _id: 1,
            state: 1,
            createdAt: 1,
            enrollmentsSyncedAt: 1,
            enrollmentsSyncAttemptedAt: 1,
            followedAt: 1,
          },
        },
      )
      .toArray();
    return documents.filter(isFollowed).map((document) => ({
      courseId: document._id,
      state: document.state,
      createdAt: document.createdAt,
      followedAt: document.followedAt ?? null,
      syncedAt: document.enrollmentsSyncedAt ?? null,
    }));
  }

  /**
   * A successful sync of the course's grades, which is also its last try, in one write. Leaves
   * `updatedAt` alone: it tells when the course itself changed, not when its grades were read.
   * `gradebookUsers`: the users a whole-gradebook read counted; undefined after a per-student read.
   */
  async recordEnrollmentSync(
    moodleId: number,
    gradebookUsers: number | undefined,
    now: Date,
    trigger: SyncTrigger = 'SCHEDULE',
  ): Promise<void> {
    const counted = gradebookUsers === undefined ? {} : { gradebookUsers, gradebookCountedAt: now };
    await this.collection.updateOne(
      { _id: moodleId },
      {
        $set: {
          enrollmentsSyncedAt: now,
          enrollmentsSyncAttemptedAt: now,
          enrollmentsSyncTrigger: trigger,
          ...counted,
        },
      },
    );
  }

  /** A try at the course's grades that failed: `enrollmentsSyncedAt` stays that of the last success. */
  async recordEnrollmentSyncFailure(moodleId: number, trigger: SyncTrigger, now: Date): Promise<void> {
    await this.collection.updateOne(
      { _id: moodleId },
      { $set: { enrollmentsSyncAttemptedAt: now, enrollmentsSyncTrigger: trigger } },
    );
  }

  /**
   * Marks a course the API just enrolled a student in as followed, unless the document already says so:
   * one write in the course's life, before the enrollment sync has ever tried it.
   */
  async markFollowed(course: CourseDocument, now: Date): Promise<void> {
    if (isFollowed(course)) return;
    await this.collection.updateOne({ _id: course._id }, { $set: { followedAt: now } });
  }

  async setState(moodleId: number, state: Exclude<CourseState, 'NEW'>, now: Date): Promise<CourseDocument | null> {
    await this.collection.updateOne({ _id: moodleId }, { $set: { state, stateChangedAt: now, updatedAt: now } });
    return this.get(moodleId);
  }
}
