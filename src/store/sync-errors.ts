import type { OpenErrorGroup } from '../domain/connection-state';
import { SYNC_SCOPES } from '../domain/sync-scopes';
import { ObjectId, type AnyBulkWriteOperation, type Collection, type Db, type Filter } from 'mongodb';
import { bulkWriteInBatches, createIndexes, type StoreTraits } from './mongo';
import { pageById, type Page, type PageRequest } from './pagination';

/**
 * What failed: the whole course sync (`course-sync`), its held deletions
 * (`course-sync:deletions`), one course's enrollment sync (`course:<id>`) or
 * one enrollment (`enrollment:<id>`). A later success for the scope resolves
 * its open errors.
 */
export type SyncErrorScope = string;

export interface SyncErrorDocument {
  _id: ObjectId;
  scope: SyncErrorScope;
  courseId: number | null;
  enrollmentId: string | null;
  code: string;
  message: string;
  /** Structured facts for tools (e.g. the held course ids). */
  details: Record<string, unknown>;
  firstSeenAt: Date;
  lastSeenAt: Date;
  occurrences: number;
  /** Null while the error is open. */
  resolvedAt: Date | null;
}

export const SYNC_ERRORS = 'sync_errors';

export interface SyncErrorListQuery {
  /** Open errors only, or resolved ones only. */
  open: boolean;
  courseId?: number;
}

function syncErrorFilter(query: SyncErrorListQuery): Filter<SyncErrorDocument> {
  return {
    resolvedAt: query.open ? null : { $ne: null },
    ...(query.courseId !== undefined && { courseId: query.courseId }),
  };
}

export interface SyncErrorReport {
  scope: SyncErrorScope;
  code: string;
  message: string;
  courseId?: number;
  enrollmentId?: string;
  details?: Record<string, unknown>;
}

export class SyncErrorStore {
  readonly collection: Collection<SyncErrorDocument>;

  constructor(
    db: Db,
    private readonly traits: StoreTraits,
  ) {
    this.collection = db.collection<SyncErrorDocument>(SYNC_ERRORS);
  }

  async ensureIndexes(): Promise<void> {
    await createIndexes(this.collection, [
      { key: { scope: 1, resolvedAt: 1 }, name: 'sync_errors_by_scope' },
      { key: { resolvedAt: 1, lastSeenAt: -1 }, name: 'sync_errors_open' },
      { key: { courseId: 1, resolvedAt: 1 }, name: 'sync_errors_by_course' },
    ]);
  }

  /**
   * Records a failure: the open error of the same scope and code counts one
   * more occurrence; an open error of the scope with another code is resolved,
   * because the scope now fails for a different reason.
   */
  async record(report: SyncErrorReport, now: Date): Promise<void> {
    await this.recordMany([report], now);
  }

  /** `record` for many scopes in ordered bulk writes (an enrollment sync may report hundreds at once). */
  async recordMany(reports: readonly SyncErrorReport[], now: Date): Promise<void> {
    const operations = reports.flatMap((report): AnyBulkWriteOperation<SyncErrorDocument>[] => [
      {
        updateMany: {
          filter: { scope: report.scope, resolvedAt: null, code: { $ne: report.code } },
          update: { $set: { resolvedAt: now } },
        },
      },
      {
        updateOne: {
          filter: { scope: report.scope, code: report.code, resolvedAt: null },
          update: {
            // Null fields go in $set: FerretDB 1.24 silently drops null values given to $setOnInsert.
            $set: {
              message: report.message,
              details: report.details ?? {},
              lastSeenAt: now,
              courseId: report.courseId ?? null,
              enrollmentId: report.enrollmentId ?? null,
            },
            $inc: { occurrences: 1 },
            $setOnInsert: { firstSeenAt: now },
          },
          upsert: true,
        },
      },
    ]);
    await bulkWriteInBatches(this.collection, this.traits, operations);
  }

  /** Rewrites what an open error says (e.g. after part of it was dealt with), keeping its history. */
  async amend(id: ObjectId, change: { message: string; details: Record<string, unknown> }): Promise<void> {
    await this.collection.updateOne({ _id: id, resolvedAt: null }, { $set: change });
  }

  /**
   * Resolves the open errors of the scopes, all of `courseId` when it is
   * given; returns how many it resolved. The enrollment sync resolves a
   * course's scopes after every course, so each call names what an index
   * serves as equality (the scope alone, or the course): the embedded store
   * pushes equality down and scans for an `$in` (docs/local-store.md).
   */
  async resolve(scopes: SyncErrorScope[], now: Date, courseId?: number): Promise<number> {
    if (scopes.length === 0) return 0;
    const filter: Filter<SyncErrorDocument> =
      scopes.length === 1
        ? { scope: scopes[0] as string }
        : { ...(courseId !== undefined && { courseId }), scope: { $in: scopes } };
    const result = await this.collection.updateMany({ ...filter, resolvedAt: null }, { $set: { resolvedAt: now } });
    return result.modifiedCount;
  }

  /** Resolves every open error of the courses (theirs and their enrollments'); returns how many. */
  async resolveCourses(courseIds: readonly number[], now: Date): Promise<number> {
    if (courseIds.length === 0) return 0;
    const result = await this.collection.updateMany(
      { courseId: { $in: [...courseIds] }, resolvedAt: null },
      { $set: { resolvedAt: now } },
    );
    return result.modifiedCount;
  }

  /**
   * Open errors by code, with how many are courses' and how many
   * enrollments' (errors of whole runs count in neither).
   */
  async openByCode(): Promise<OpenErrorGroup[]> {
    // Only $match and $group with $sum: what FerretDB runs too (docs/ferretdb.md, the must-avoid list).
    const countByCode = async (enrollmentId: null | { $ne: null }) => {
      const rows = await this.collection
        .aggregate<{ _id: string; count: number }>([
          { $match: { resolvedAt: null, courseId: { $ne: null }, enrollmentId } },
          { $group: { _id: '$code', count: { $sum: 1 } } },
        ])
        .toArray();
      return new Map(rows.map((row) => [row._id, row.count]));
    };
    const [courses, enrollments] = await Promise.all([countByCode(null), countByCode({ $ne: null })]);
    const codes = [...new Set([...courses.keys(), ...enrollments.keys()])].sort();
    return Promise.all(
      codes.map(async (code) => {
        const sample = await this.collection.findOne({ resolvedAt: null, code, courseId: { $ne: null } });
        return {
          code,
          courses: courses.get(code) ?? 0,
          enrollments: enrollments.get(code) ?? 0,
          message: sample?.message ?? '',
        };
      }),
    );
  }

  /** Newest first (by when the error was first seen). */
  async list(query: SyncErrorListQuery, page: PageRequest): Promise<Page<SyncErrorDocument>> {
    return pageById(this.collection, syncErrorFilter(query), page, -1);
  }

  async count(query: SyncErrorListQuery): Promise<number> {
    return this.collection.countDocuments(syncErrorFilter(query));
  }

  async open(scope?: SyncErrorScope): Promise<SyncErrorDocument[]> {
    return this.collection
      .find(scope === undefined ? { resolvedAt: null } : { scope, resolvedAt: null })
      .sort({ lastSeenAt: -1 })
      .toArray();
  }

  /** The open error that holds course deletions back, and the ids it holds (none when there is no such error). */
  async heldCourseDeletions(): Promise<{ error: SyncErrorDocument | undefined; courseIds: number[] }> {
    const [error] = await this.open(SYNC_SCOPES.heldDeletions);
    return { error, courseIds: ((error?.details.courseIds as number[] | undefined) ?? []).filter(Number.isInteger) };
  }
}
