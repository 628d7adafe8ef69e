import { ObjectId } from 'mongodb';
import { emptyCourseDiff } from '../../src/domain/course-diff';
import type { Stores } from '../../src/store';
import type { EnrollmentSyncWrite } from '../../src/store/enrollments';
import type { ReportCardLine } from '../../src/domain/report-card';
import { FERRETDB_POOL_CONNECTIONS } from '../../src/local/postgres';
import type { Database } from '../../src/store/mongo';
import { moodleCourseFields } from '../support/courses';
import { openTestStores } from '../support/environment';

/**
 * FerretDB 1.24 deadlocks on one update command of more statements than its
 * pool has connections (about 100 on SQLite; the local store's pool is 200).
 * These writes are the sync's largest; each must finish, on FerretDB as on
 * MongoDB, however many statements it has.
 */
const MANY = FERRETDB_POOL_CONNECTIONS + 30;

describe('bulk writes larger than one batch', () => {
  let database: Database;
  let stores: Stores;
  const now = new Date('2026-11-28T10:00:00Z');

  beforeAll(async () => {
    ({ database, stores } = await openTestStores());
  });

  afterAll(async () => {
    await database?.close();
  });

  const line = (raw: number): ReportCardLine => ({
    gradeItemId: 1,
    name: 'Essay',
    itemType: 'mod',
    module: 'assign',
    cmid: 3,
    grade: String(raw),
    raw,
    percentage: null,
    letter: null,
    range: '0–100',
    weight: null,
    weightRaw: null,
    feedback: null,
    gradedAt: null,
    submittedAt: null,
    hidden: false,
  });
  const synced = (id: ObjectId, raw: number): EnrollmentSyncWrite => ({
    id,
    snapshotHash: `hash-${raw}`,
    snapshot: { progress: { percent: 100, graded: 1, total: 1 }, grade: null, reportCard: [line(raw)] },
  });
  const linesOf = async (id: ObjectId) =>
    (await stores.reportCards.ofEnrollments([id.toHexString()]))[0]?.lines.map((entry) => entry.raw);

  it('write every enrollment of a big course, and their report cards', async () => {
    const created = await Promise.all(
      Array.from({ length: MANY }, (_, index) =>
        stores.enrollments.create({ courseId: 7, studentId: new ObjectId(), moodleUserId: 1000 + index }, now),
      ),
    );
    // Half with new data (a report card and an enrollment each), half with an error only.
    const writes: EnrollmentSyncWrite[] = created.map((enrollment, index) =>
      index % 2 === 0
        ? synced(enrollment._id, index)
        : {
            id: enrollment._id,
            syncError: { code: 'STUDENT_NOT_IN_GRADEBOOK', message: 'not in the gradebook', at: now },
          },
    );
    const withData = Math.ceil(MANY / 2);
    let batches = 0;
    await stores.enrollments.writeSyncResults(
      stores.reportCards,
      { courseId: 7, readAt: now },
      writes,
      now,
      () => (batches += 1),
    );
    const batch = database.traits.bulkWriteBatch;
    expect(batches).toBe(Math.ceil(withData / batch) + Math.ceil(MANY / batch));
    expect(await stores.enrollments.collection.countDocuments({ 'syncError.code': 'STUDENT_NOT_IN_GRADEBOOK' })).toBe(
      MANY - withData,
    );
    expect(await stores.enrollments.collection.countDocuments({ snapshotHash: { $ne: null } })).toBe(withData);
    expect(await stores.reportCards.collection.countDocuments({ courseId: 7 })).toBe(withData);
    expect(await linesOf(created[2]!._id)).toEqual([2]);
  });

  it('never replace a report card with one read from Moodle earlier', async () => {
    const [older, newer] = [new Date('2026-11-28T10:00:00Z'), new Date('2026-11-28T10:05:00Z')];
    const [raced, fresh] = await Promise.all(
      [1, 2].map((moodleUserId) =>
        stores.enrollments.create({ courseId: 8, studentId: new ObjectId(), moodleUserId }, now),
      ),
    );
    const write = (readAt: Date, entries: EnrollmentSyncWrite[]) =>
      stores.enrollments.writeSyncResults(stores.reportCards, { courseId: 8, readAt }, entries, now);

    await write(newer, [synced(raced!._id, 90)]);
    // A stalled attempt that read Moodle earlier finishes last: its card for `raced` is dropped, the rest is written.
    await write(older, [synced(raced!._id, 40), synced(fresh!._id, 55)]);
    expect(await linesOf(raced!._id)).toEqual([90]);
    expect(await linesOf(fresh!._id)).toEqual([55]);
    // Newer data replaces it as usual.
    await write(new Date('2026-11-28T10:10:00Z'), [synced(raced!._id, 95)]);
    expect(await linesOf(raced!._id)).toEqual([95]);
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
    const moodle = moodleCourseFields('C', 'Course');
    const ids = Array.from({ length: MANY }, (_, index) => index + 2);
    const empty = emptyCourseDiff(MANY);
    await stores.courses.applyDiff(
      { ...empty, created: ids.map((moodleId) => ({ moodleId, state: 'NEW', moodle, lmsDeletedAt: null })) },
      now,
    );
    const renamed = { ...moodle, fullName: 'Renamed' };
    const written = await stores.courses.applyDiff(
      { ...empty, changed: ids.map((moodleId) => ({ moodleId, moodle: renamed, changedFields: ['fullName'] })) },
      now,
    );
    expect(written).toBe(MANY);
    expect(await stores.courses.collection.countDocuments({ 'moodle.fullName': 'Renamed' })).toBe(MANY);
  });
});
