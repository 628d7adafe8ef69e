import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/api/app';
import { generateApiKey, hashApiKey } from '../../src/api/auth';
import { encodeCursor } from '../../src/api/cursors';
import { loadConfig } from '../../src/config';
import type { CourseState } from '../../src/domain/course';
import { emptyCourseDiff } from '../../src/domain/course-diff';
import { createLogger } from '../../src/logger';
import type { Stores } from '../../src/store';
import type { Database } from '../../src/store/mongo';
import type { SyncLauncher } from '../../src/temporal/launcher';
import { readGradesFreshness, readStaleCourses } from '../../src/use-cases/sync-status';
import { runCommand } from '../support/cli';
import { moodleCourseFields } from '../support/courses';
import { openTestStores } from '../support/environment';

/**
 * How old the grades of followed courses are, on the real store: what the sync writes on each course,
 * the stale count and list of `syncStatus` / `staleCourses` (through Yoga's own `fetch`) and
 * `sms-sync status` (the real command line, on this file's database).
 */
const ADMIN_KEY = generateApiKey();
const READER_KEY = generateApiKey();
const MINUTE = 60_000;
const NOW = new Date();
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE);
/** The default schedules: enrollments every 30 minutes, so grades are stale past an hour. */
const INTERVALS = loadConfig({}).sync;

/** The API's and the command's answers name courses by id. */
const ids = (edges: { node: { id: string } }[]) => edges.map((edge) => Number(edge.node.id));

interface Response<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

describe('course grade freshness and stale courses', () => {
  let database: Database;
  let stores: Stores;
  let app: ReturnType<typeof createApp>;

  async function ask<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<Response<T>> {
    const response = await app.fetch('http://127.0.0.1/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Response<T>;
  }
  const data = <T>(response: Response<T>): T => {
    if (response.errors) throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`);
    return response.data as T;
  };

  async function createCourses(courses: [number, CourseState][], createdAt: Date): Promise<void> {
    const created = courses.map(([moodleId]) => ({
      moodleId,
      state: 'NEW' as const,
      moodle: moodleCourseFields(`C${moodleId}`),
      lmsDeletedAt: null,
    }));
    await stores.courses.applyDiff({ ...emptyCourseDiff(created.length), created }, createdAt);
    for (const [moodleId, state] of courses) {
      if (state !== 'NEW') await stores.courses.setState(moodleId, state, createdAt);
    }
  }

  beforeAll(async () => {
    ({ database, stores } = await openTestStores());
    app = createApp({
      stores,
      moodle: { getUsersByField: () => Promise.reject(new Error('these tests never ask Moodle')) },
      // These tests start no sync.
      syncs: {} as SyncLauncher,
      now: () => NOW,
      syncIntervals: INTERVALS,
      apiKeys: [
        { role: 'admin', sha256: hashApiKey(ADMIN_KEY) },
        { role: 'reader', sha256: hashApiKey(READER_KEY) },
      ],
      graphiql: false,
      logger: createLogger('silent'),
    });

    // 201 fresh; 202 synced exactly two intervals ago; 203 a minute and a millisecond more, then failed;
    // 204 CLOSED, still synced and stale; 205 enrolled through the API 5 h ago, never tried; 206 followed by nobody;
    // 207 stale but deleted in Moodle; 208 NEW with (bulk-loaded) enrollments; 209 never synced, failed.
    await createCourses(
      [
        [201, 'OPEN'],
        [202, 'OPEN'],
        [203, 'OPEN'],
        [208, 'NEW'],
      ],
      minutesAgo(180),
    );
    await createCourses(
      [
        [204, 'CLOSED'],
        [205, 'OPEN'],
        [206, 'OPEN'],
        [207, 'OPEN'],
        [209, 'OPEN'],
      ],
      minutesAgo(300),
    );
    await stores.courses.markDeleted([207], minutesAgo(20));
    const student = await stores.students.create({ moodleUserId: 3001, fullName: 'Ada Okafor' }, minutesAgo(300));
    for (const courseId of [201, 202, 203, 204, 207, 208, 209]) {
      await stores.enrollments.create({ courseId, studentId: student._id, moodleUserId: 3001 }, minutesAgo(300));
    }
    await stores.courses.recordEnrollmentSync(201, 3, minutesAgo(10), 'SCHEDULE');
    await stores.courses.recordEnrollmentSync(202, 3, minutesAgo(60), 'MANUAL');
    await stores.courses.recordEnrollmentSync(203, 3, new Date(minutesAgo(60).getTime() - 1), 'SCHEDULE');
    await stores.courses.recordEnrollmentSyncFailure(203, 'MOODLE_EVENT', minutesAgo(5));
    await stores.courses.recordEnrollmentSync(204, 3, minutesAgo(240), 'REPLAY');
    await stores.courses.recordEnrollmentSync(207, 3, minutesAgo(240), 'SCHEDULE');
    await stores.courses.recordEnrollmentSync(208, undefined, minutesAgo(120), 'SCHEDULE');
    await stores.courses.recordEnrollmentSyncFailure(209, 'SCHEDULE', minutesAgo(30));
    const enrolled = await ask<{ createEnrollment: { id: string } }>(
      ADMIN_KEY,
      'mutation($s: ID!) { createEnrollment(courseId: "205", studentId: $s) { id } }',
      { s: student._id.toHexString() },
    );
    data(enrolled);
    // The API dates when the SMS began to follow 205; here, as if that had been five hours ago.
    expect(await stores.courses.get(205)).toMatchObject({ followedAt: NOW });
    await stores.courses.collection.updateOne({ _id: 205 }, { $set: { followedAt: minutesAgo(300) } });
    // A course sync finished 15 minutes ago: the last time every live course was seen in Moodle.
    const run = await stores.syncRuns.start(
      { kind: 'COURSE', workflowId: 'course-sync-1', runId: 'r', trigger: 'SCHEDULE' },
      minutesAgo(16),
    );
    await stores.syncRuns.finish(
      run,
      { outcome: 'SUCCEEDED', counts: {}, moodleCalls: {}, error: null },
      minutesAgo(15),
    );
  });

  afterAll(async () => {
    await database?.close();
  });

  it('counts followed, live courses not synced within two intervals, never-synced ones from their creation', async () => {
    expect(await readGradesFreshness(stores, NOW, INTERVALS)).toEqual({
      staleCourseCount: 5,
      oldestCourseSyncAt: minutesAgo(300),
      oldestCourseDataAgeSeconds: 300 * 60,
    });
    const stale = await readStaleCourses(stores, NOW, INTERVALS, { first: 50 });
    // Not 201 (fresh), 202 (exactly at the cutoff), 206 (no enrollments) or 207 (deleted).
    expect(stale.edges.map((edge) => edge.course._id)).toEqual([205, 209, 204, 208, 203]);
    expect(stale).toMatchObject({ totalCount: 5, hasNextPage: false });
    // A millisecond later, 202's grades are past the cutoff too.
    const later = new Date(NOW.getTime() + 1);
    expect((await readGradesFreshness(stores, later, INTERVALS)).staleCourseCount).toBe(6);
  });

  it('shows each course’s last successful sync, last try and its trigger, and when Moodle last listed it', async () => {
    type Course = {
      course: {
        lastSyncedAt: string | null;
        lastAttemptAt: string | null;
        lastSyncTrigger: string | null;
        lastSeenInMoodleAt: string | null;
      };
    };
    const query = '{ course(id: "%s") { lastSyncedAt lastAttemptAt lastSyncTrigger lastSeenInMoodleAt } }';
    const course = async (id: number) => data(await ask<Course>(READER_KEY, query.replace('%s', String(id)))).course;

    expect(await course(201)).toEqual({
      lastSyncedAt: minutesAgo(10).toISOString(),
      lastAttemptAt: minutesAgo(10).toISOString(),
      lastSyncTrigger: 'SCHEDULE',
      lastSeenInMoodleAt: minutesAgo(15).toISOString(),
    });
    // A failed try moves the last try, not the last sync.
    expect(await course(203)).toEqual({
      lastSyncedAt: new Date(minutesAgo(60).getTime() - 1).toISOString(),
      lastAttemptAt: minutesAgo(5).toISOString(),
      lastSyncTrigger: 'MOODLE_EVENT',
      lastSeenInMoodleAt: minutesAgo(15).toISOString(),
    });
    expect(await course(209)).toMatchObject({ lastSyncedAt: null, lastAttemptAt: minutesAgo(30).toISOString() });
    expect(await course(205)).toMatchObject({ lastSyncedAt: null, lastAttemptAt: null, lastSyncTrigger: null });
    expect(await course(207)).toMatchObject({ lastSyncedAt: minutesAgo(240).toISOString(), lastSeenInMoodleAt: null });
  });

  it('gives syncStatus the stale count and the oldest course data, reading the courses once per request', async () => {
    const reads = jest.spyOn(stores.courses, 'followedLive');
    try {
      const status = '{ syncStatus { staleCourseCount oldestCourseSyncAt oldestCourseDataAgeSeconds } }';
      expect(data(await ask(READER_KEY, status))).toEqual({
        syncStatus: {
          staleCourseCount: 5,
          oldestCourseSyncAt: minutesAgo(300).toISOString(),
          oldestCourseDataAgeSeconds: 300 * 60,
        },
      });
      expect(reads).toHaveBeenCalledTimes(1);

      const both = '{ syncStatus { staleCourseCount oldestCourseDataAgeSeconds } staleCourses { totalCount } }';
      expect(data(await ask(ADMIN_KEY, both))).toEqual({
        syncStatus: { staleCourseCount: 5, oldestCourseDataAgeSeconds: 300 * 60 },
        staleCourses: { totalCount: 5 },
      });
      expect(reads).toHaveBeenCalledTimes(2);
      // Asked for none of them, syncStatus reads no course.
      data(await ask(READER_KEY, '{ syncStatus { connection } }'));
      expect(reads).toHaveBeenCalledTimes(2);
    } finally {
      reads.mockRestore();
    }
  });

  it('lists stale courses oldest first, page by page; readers never see the NEW one', async () => {
    type Page = {
      staleCourses: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { id: string } }[];
      };
    };
    const list =
      'query($after: String) { staleCourses(first: 2, after: $after) ' +
      '{ totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }';
    const pages = async (key: string) => {
      const seen: number[][] = [];
      let after: string | null = null;
      for (;;) {
        const page: Page['staleCourses'] = data(await ask<Page>(key, list, { after })).staleCourses;
        seen.push(ids(page.edges));
        if (!page.pageInfo.hasNextPage) return { seen, totalCount: page.totalCount };
        after = page.pageInfo.endCursor;
      }
    };

    expect(await pages(ADMIN_KEY)).toEqual({ seen: [[205, 209], [204, 208], [203]], totalCount: 5 });
    expect(await pages(READER_KEY)).toEqual({
      seen: [
        [205, 209],
        [204, 203],
      ],
      totalCount: 4,
    });
  });

  it('refuses cursors it did not give out for this list', async () => {
    const list = 'query($after: String) { staleCourses(after: $after) { totalCount } }';
    for (const after of [
      encodeCursor('courses', 205),
      encodeCursor('staleCourses', '205'),
      encodeCursor('staleCourses', '{"$gt": ""}'),
      'garbage',
    ]) {
      const answer = await ask(READER_KEY, list, { after });
      expect((answer.errors ?? []).map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('is what `sms-sync status` shows, in words and as JSON', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sms-sync-staleness-'));
    try {
      const env = {
        ...process.env,
        MONGODB_DB: database.db.databaseName,
        LOCAL_STATE_DIR: stateDir,
        ENROLLMENT_SYNC_INTERVAL: '30m',
      };
      const [text, json] = await Promise.all([runCommand(['status'], env), runCommand(['status', '--json'], env)]);

      // The command's clock runs after NOW: course 202, exactly two intervals old at NOW, is stale by then.
      const status = JSON.parse(json.output) as Record<string, unknown>;
      expect(status).toMatchObject({
        staleCourseCount: 6,
        oldestCourseSyncAt: minutesAgo(300).toISOString(),
        staleCourses: [
          { courseId: 205, shortName: 'C205', lastSyncedAt: null, lastAttemptAt: null, lastSyncTrigger: null },
          {
            courseId: 209,
            lastSyncedAt: null,
            lastAttemptAt: minutesAgo(30).toISOString(),
            lastSyncTrigger: 'SCHEDULE',
          },
          { courseId: 204, lastSyncTrigger: 'REPLAY' },
          { courseId: 208 },
          { courseId: 203, lastAttemptAt: minutesAgo(5).toISOString(), lastSyncTrigger: 'MOODLE_EVENT' },
        ],
      });
      expect(status.oldestCourseDataAgeSeconds).toBeGreaterThanOrEqual(300 * 60);
      expect(status.oldestCourseDataAgeSeconds).toBeLessThan(300 * 60 + 60);

      const lines = text.output.split('\n');
      expect(lines).toContain('Stale courses: 6 (grades not synced within 1h)');
      expect(lines).toContain(`Oldest course data: 5h old (since ${minutesAgo(300).toISOString()})`);
      const courseLines = lines.filter((line) => line.startsWith('  '));
      expect(courseLines).toEqual([
        `  course 205 C205: never synced (followed since ${minutesAgo(300).toISOString()}, 5h ago)`,
        `  course 209 C209: never synced (course created ${minutesAgo(300).toISOString()}, 5h ago); ` +
          `last try failed at ${minutesAgo(30).toISOString()} [schedule]`,
        `  course 204 C204: last synced ${minutesAgo(240).toISOString()} (4h ago) [replay]`,
        `  course 208 C208: last synced ${minutesAgo(120).toISOString()} (2h ago) [schedule]`,
        `  course 203 C203: last synced ${new Date(minutesAgo(60).getTime() - 1).toISOString()} (1h ago); ` +
          `last try failed at ${minutesAgo(5).toISOString()} [moodle_event]`,
        '  … and 1 more (GraphQL staleCourses lists them all)',
      ]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
