import { SYNC_SCOPES } from '../../src/domain/sync-scopes';
import type { SyncKind } from '../../src/domain/sync-run';
import type { Stores } from '../../src/store';
import type { Database } from '../../src/store/mongo';
import { readSyncHealth } from '../../src/use-cases/sync-health';
import { readSyncStatus } from '../../src/use-cases/sync-status';
import { HELD_DELETIONS_CODE } from '../../activities/course-sync';
import { emptyCourseDiff } from '../../src/domain/course-diff';
import type { CourseState } from '../../src/domain/course';
import { moodleCourseFields } from '../support/courses';
import { openTestStores } from '../support/environment';

const MINUTE = 60_000;
const now = new Date('2026-03-02T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * MINUTE);
const HOURLY = { courseIntervalMs: 60 * MINUTE, enrollmentIntervalMs: 60 * MINUTE };
const HALF_HOURLY = { courseIntervalMs: 30 * MINUTE, enrollmentIntervalMs: 30 * MINUTE };

/** What the metrics read at each scrape, on the real store. */
describe('sync health from the database', () => {
  let database: Database;
  let stores: Stores;

  beforeAll(async () => {
    ({ database, stores } = await openTestStores());
  });

  afterAll(async () => {
    await database?.close();
  });

  async function succeeded(kind: SyncKind, startedMinutesAgo: number, finishedMinutesAgo: number): Promise<void> {
    const id = await stores.syncRuns.start(
      { kind, workflowId: `${kind}-${startedMinutesAgo}`, runId: 'r', trigger: 'SCHEDULE' },
      minutesAgo(startedMinutesAgo),
    );
    await stores.syncRuns.finish(
      id,
      { outcome: 'SUCCEEDED', counts: {}, moodleCalls: {}, error: null },
      minutesAgo(finishedMinutesAgo),
    );
  }

  it('reads FAILING after 30 minutes without a success, or after the shortest interval when it is longer', async () => {
    await succeeded('COURSE', 46, 45);
    await succeeded('ENROLLMENT', 47, 46);

    expect((await readSyncStatus(stores, now, HALF_HOURLY)).state.status).toBe('FAILING');
    expect((await readSyncStatus(stores, now, HOURLY)).state.status).toBe('HEALTHY');
  });

  it('gives the metrics the last start and success of each kind, stale courses and held deletions', async () => {
    const [fresh, stale, closed, deleted, neverSynced] = [11, 12, 13, 14, 15];
    const course = (moodleId: number, state: CourseState) => ({
      moodleId,
      state,
      moodle: moodleCourseFields(`C${moodleId}`),
      lmsDeletedAt: null,
    });
    const created = [course(fresh, 'OPEN'), course(stale, 'OPEN'), course(closed, 'CLOSED')];
    created.push(course(deleted, 'OPEN'), course(neverSynced, 'OPEN'));
    await stores.courses.applyDiff({ ...emptyCourseDiff(created.length), created }, now);
    await stores.courses.markDeleted([deleted], now);
    // Stale: OPEN, not deleted, not synced within two enrollment-sync intervals (two hours here); never synced is not.
    await stores.courses.recordEnrollmentSync(fresh, 3, minutesAgo(61));
    for (const id of [stale, closed, deleted]) await stores.courses.recordEnrollmentSync(id, 3, minutesAgo(121));
    await stores.syncErrors.record(
      {
        scope: SYNC_SCOPES.heldDeletions,
        code: HELD_DELETIONS_CODE,
        message: 'held',
        details: { courseIds: [21, 22, 23] },
      },
      now,
    );
    await stores.syncErrors.record(
      { scope: SYNC_SCOPES.course(fresh), courseId: fresh, code: 'MOODLE_COURSE_NOT_FOUND', message: 'gone' },
      now,
    );

    const health = await readSyncHealth(stores, now, HOURLY);

    expect(health).toEqual({
      runs: {
        COURSE: { lastStartAt: minutesAgo(46), lastSuccessAt: minutesAgo(45) },
        ENROLLMENT: { lastStartAt: minutesAgo(47), lastSuccessAt: minutesAgo(46) },
      },
      connection: 'DEGRADED',
      openErrors: [{ code: 'MOODLE_COURSE_NOT_FOUND', count: 1 }],
      staleCourses: 1,
      heldDeletions: 3,
    });
    // Every 30 minutes, an hour without a sync is stale too.
    expect((await readSyncHealth(stores, now, HALF_HOURLY)).staleCourses).toBe(2);
  });
});
