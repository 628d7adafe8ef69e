import { ObjectId } from 'mongodb';
import type { CourseDiff } from '../../src/domain/course-diff';
import { createStores, ensureIndexes, type Stores } from '../../src/store';
import type { EnrollmentSyncWrite } from '../../src/store/enrollments';
import type { Database } from '../../src/store/mongo';
import { openTestDatabase } from '../support/environment';

/**
 * FerretDB 1.24 deadlocks on one update command of more statements than its
 * pool has connections (about 100 on SQLite; the local store's pool is 200).
 * These writes are the sync's largest; each must finish, on FerretDB as on
 * MongoDB, however many statements it has.
 */
const MANY = 230;

describe('bulk writes larger than one batch', () => {
  let database: Database;
  let stores: Stores;
  const now = new Date('2026-11-28T10:00:00Z');

  beforeAll(async () => {
    database = await openTestDatabase();
    stores = createStores(database);
    await ensureIndexes(stores);
  });

  afterAll(async () => {
    await database?.close();
  });

  it('write every enrollment of a big course', async () => {
    const created = await Promise.all(
      Array.from({ length: MANY }, (_, index) =>
        stores.enrollments.create({ courseId: 7, studentId: new ObjectId(), moodleUserId: 1000 + index }, now),
      ),
    );
    const writes: EnrollmentSyncWrite[] = created.map((enrollment) => ({
      id: enrollment._id,
      syncError: { code: 'STUDENT_NOT_IN_GRADEBOOK', message: 'not in the gradebook', at: now },
    }));
    let batches = 0;
    await stores.enrollments.writeSyncResults(stores.reportCards, 7, writes, now, () => (batches += 1));
    expect(batches).toBe(Math.ceil(MANY / database.traits.bulkWriteBatch));
    expect(await stores.enrollments.collection.countDocuments({ 'syncError.code': 'STUDENT_NOT_IN_GRADEBOOK' })).toBe(MANY);
  });

  it('record a sync error for each of them', async () => {
    const reports = Array.from({ length: MANY }, (_, index) => ({
      scope: `enrollment:${index}`,
      code: 'STUDENT_NOT_IN_GRADEBOOK',
      message: 'not in the gradebook',
      courseId: 7,
    }));
    await stores.syncErrors.recordMany(reports, now);
    expect(await stores.syncErrors.count({ open: true, courseId: 7 })).toBe(MANY);
  });

  it('apply a course diff that changes many courses at once', async () => {
    const moodle = { shortName: 'C', fullName: 'Course', displayName: 'Course', categoryId: 1, format: 'topics', idNumber: null, visible: true, startDate: 0, endDate: 0 };
    const ids = Array.from({ length: MANY }, (_, index) => index + 2);
    const empty: CourseDiff = { created: [], changed: [], restored: [], deleted: [], heldDeletions: [], deletionGuard: null, unchanged: 0, seen: MANY };
    await stores.courses.applyDiff({ ...empty, created: ids.map((moodleId) => ({ moodleId, state: 'NEW', moodle, lmsDeletedAt: null })) }, now);
    const renamed = { ...moodle, fullName: 'Renamed' };
    const written = await stores.courses.applyDiff(
      { ...empty, changed: ids.map((moodleId) => ({ moodleId, moodle: renamed, changedFields: ['fullName'] })) },
      now,
    );
    expect(written).toBe(MANY);
    expect(await stores.courses.collection.countDocuments({ 'moodle.fullName': 'Renamed' })).toBe(MANY);
  });
});
