import { randomInt } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import {
  MAX_EVENT_BYTES,
  MOODLE_HOOK_PATH,
  MOODLE_HOOK_SECRET_HEADER,
  REFUSALS_PER_MINUTE,
} from '../../src/api/hooks/moodle-hooks';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { loadConfig } from '../../src/config';
import { HOOKS_TEST_EVENT } from '../../src/domain/moodle-events';
import { createLogger } from '../../src/logger';
import { generateSite } from '../../src/moodle-sim';
import { Secret } from '../../src/secret';
import { temporalSyncLauncher } from '../../src/temporal/launcher';
import { refreshWorkflowId } from '../../src/temporal/workflow-ids';
import { snapshotDatabase } from '../support/database-snapshot';
import { exchange } from '../support/http-exchange';
import { regrade } from '../support/regrade';
import { expectNoSecrets } from '../support/secret-scan';
import { openAndEnrollEverything } from '../support/service-stack';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness';

/**
 * Moodle's events end to end on the real stack: POST /hooks/moodle over HTTP, the refresh workflow on the
 * shared Temporal server, the sync reading the simulated Moodle and writing the real store. Course ids are
 * the test's own (workflow ids name courses, and the namespace is shared).
 */
const TOKEN = 'e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7';
const SECRET = 'hook-secret-0123456789abcdef';
const FIRST_COURSE = 700_000 + randomInt(0, 90_000) * 3;
const FLOOD_LIMIT = 40;

/** A busy course is tried again this soon (20 s in production). */
const BUSY_RETRY_MS = 2_000;

/** Well past the debounce (≤ 5 s) and one sync of a small course. */
const VISIBLE_WITHIN_MS = 15_000;

describe('Moodle events on the real stack', () => {
  let harness: SyncHarness;
  let api: ApiServer;
  let limitedApi: ApiServer;
  const [graded, second, unfollowed] = [FIRST_COURSE, FIRST_COURSE + 1, FIRST_COURSE + 2];
  const contentsReads = new Map<number, number>();
  const logs: string[] = [];

  const post = (server: ApiServer, body: unknown, headers: Record<string, string> = {}) =>
    exchange(`${server.url}${MOODLE_HOOK_PATH}`, {
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const event = (eventname: string, courseid: number, extra: Record<string, unknown> = {}) => ({
    eventname,
    component: 'core',
    action: 'graded',
    target: 'user',
    objecttable: 'grade_grades',
    objectid: 1,
    crud: 'u',
    edulevel: 2,
    contextid: 5,
    contextlevel: 50,
    contextinstanceid: courseid,
    userid: 2,
    courseid,
    relateduserid: 3,
    anonymous: 0,
    other: null,
    timecreated: Math.floor(Date.now() / 1000),
    host: 'moodle.example.edu',
    token: SECRET,
    extra: '',
    ...extra,
  });
  const userGraded = (courseid: number, extra: Record<string, unknown> = {}) =>
    event(String.raw`\core\event\user_graded`, courseid, extra);

  const refreshExists = async (courseId: number) => {
    try {
      await harness.temporal.client.workflow
        .getHandle(refreshWorkflowId({ kind: 'COURSE_GRADES', courseId }))
        .describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };
  /** The student's course total in the store, once it is what Moodle now says; false after `withinMs`. */
  const untilSynced = async (courseId: number, userId: number, withinMs = VISIBLE_WITHIN_MS) => {
    const expected = harness.sim.site.gradebook(courseId).courseTotal(userId).value;
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      const enrollment = await harness.stores.enrollments.collection.findOne({ courseId, moodleUserId: userId });
      if (enrollment?.grade?.raw === expected) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  };

  function startApi(perMinute: number): Promise<ApiServer> {
    const app = createApp({
      stores: harness.stores,
      moodle: harness.moodle,
      syncs: temporalSyncLauncher(
        harness.temporal.client,
        { temporal: { taskQueue: harness.temporal.taskQueue }, sync: loadConfig({}).sync },
        () => new Date(),
      ),
      now: () => new Date(),
      syncIntervals: loadConfig({}).sync,
      apiKeys: [],
      graphiql: false,
      logger: createLogger('debug', {}, { write: (line: string) => logs.push(line) }),
      moodleHooks: { secret: new Secret(SECRET), rateLimit: { perMinute } },
    });
    return startApiServer(app, { host: '127.0.0.1', port: 0, isReady: async () => true });
  }

  beforeAll(async () => {
    const site = generateSite({
      seed: 'moodle-events',
      courses: 3,
      studentsPerCourse: 3,
      activitiesPerCourse: 8,
      firstCourseId: FIRST_COURSE,
    });
    harness = await startSyncHarness({ site, token: TOKEN, activities: { courseBusyRetryMs: BUSY_RETRY_MS } });
    harness.sim.onCall(({ wsfunction, courseId }) => {
      if (wsfunction === 'core_course_get_contents' && courseId !== undefined)
        contentsReads.set(courseId, (contentsReads.get(courseId) ?? 0) + 1);
    });
    await openAndEnrollEverything(harness.temporal.client, harness.temporal.taskQueue, harness.stores, site);
    await harness.stores.enrollments.collection.deleteMany({ courseId: unfollowed });
    await harness.runEnrollmentSync();
    api = await startApi(10_000);
    limitedApi = await startApi(FLOOD_LIMIT);
  });

  afterAll(async () => {
    // Refreshes wait minutes for more events; nothing else on the shared server should meet them.
    for (const workflowId of [graded, second]
      .map((courseId) => `refresh-course-${courseId}`)
      .concat('refresh-course-list'))
      await harness?.temporal.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    await limitedApi?.close();
    await api?.close();
    await harness?.close();
  });

  it('refuses what is not a signed event, and starts nothing', async () => {
    const before = await snapshotDatabase(harness.database.db);
    const { token: _, ...unsigned } = userGraded(graded);
    const refusals: [string, Promise<{ status: number; body: Record<string, unknown> }>, number, string][] = [
      ['no secret', post(api, unsigned), 401, 'UNAUTHENTICATED'],
      ['a wrong secret', post(api, userGraded(graded, { token: `${SECRET}x` })), 401, 'UNAUTHENTICATED'],
      ['a wrong header', post(api, unsigned, { [MOODLE_HOOK_SECRET_HEADER]: 'nope' }), 401, 'UNAUTHENTICATED'],
      ['not JSON', post(api, '{"eventname": '), 400, 'BAD_REQUEST'],
      ['no course', post(api, { ...userGraded(graded), courseid: undefined }), 400, 'BAD_REQUEST'],
      ['a course id that is text', post(api, userGraded(graded, { courseid: 'seven' })), 400, 'BAD_REQUEST'],
      ['a made-up event name', post(api, userGraded(graded, { eventname: 'grade!' })), 400, 'BAD_REQUEST'],
      [
        'a list of events',
        post(api, [userGraded(graded)], { [MOODLE_HOOK_SECRET_HEADER]: SECRET }),
        400,
        'BAD_REQUEST',
      ],
      [
        'a body past the limit',
        post(api, userGraded(graded, { other: { padding: 'x'.repeat(MAX_EVENT_BYTES) } })),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'a form',
        exchange(`${api.url}${MOODLE_HOOK_PATH}`, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `eventname=x&token=${SECRET}`,
        }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      ['a GET', exchange(`${api.url}${MOODLE_HOOK_PATH}`, { method: 'GET' }), 405, 'METHOD_NOT_ALLOWED'],
    ];
    for (const [what, answer, status, code] of refusals) {
      const { status: got, body } = await answer;
      expect({ what, status: got, code: (body.error as { code?: string } | undefined)?.code }).toEqual({
        what,
        status,
        code,
      });
    }
    // A wrong secret is told nothing more: the message names where the secret goes, never the one sent.
    const wrong = await post(api, userGraded(graded, { token: 'guess' }));
    expect(wrong.text).not.toContain('guess');
    expect(await refreshExists(graded)).toBe(false);
    expect(await snapshotDatabase(harness.database.db)).toEqual(before);
  });

  it('ignores events for courses it does not follow and events that change nothing it shows', async () => {
    const ignored = [
      await post(api, userGraded(FIRST_COURSE + 50)),
      await post(api, userGraded(unfollowed)),
      await post(api, event(String.raw`\core\event\course_viewed`, graded)),
      await post(api, event(String.raw`\mod_forum\event\post_created`, graded)),
    ];
    expect(ignored.map(({ status, body }) => [status, (body as { status?: string }).status])).toEqual(
      Array.from({ length: 4 }, () => [200, 'ignored']),
    );
    expect(logs.some((line) => line.includes(`course ${FIRST_COURSE + 50} is not known`))).toBe(true);
    expect(await refreshExists(FIRST_COURSE + 50)).toBe(false);
    expect(await refreshExists(unfollowed)).toBe(false);
    expect(await refreshExists(graded)).toBe(false);

    const test = await post(api, event(HOOKS_TEST_EVENT, 0));
    expect([test.status, test.body]).toEqual([202, { status: 'received', test: true }]);
  });

  it('brings a grade changed in Moodle into the SMS within seconds, with one sync for a burst of events', async () => {
    const students = harness.sim.site.students(graded).map((user) => user.id);
    const readsBefore = contentsReads.get(graded) ?? 0;
    for (const userId of students) regrade(harness.sim.site, graded, userId);
    const changedAt = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, index) => post(api, userGraded(graded, { relateduserid: students[index % 3] }))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 12 }, () => 202));
    expect(answers[0]!.body).toEqual({ status: 'queued', workflowId: `refresh-course-${graded}` });

    for (const userId of students) expect(await untilSynced(graded, userId)).toBe(true);
    const latencyMs = Date.now() - changedAt;
    // Let the refresh see the whole burst: still one sync, within a quiet period and no more.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect({ syncs: (contentsReads.get(graded) ?? 0) - readsBefore, latencyUnder10s: latencyMs < 10_000 }).toEqual({
      syncs: 1,
      latencyUnder10s: true,
    });
    const course = await harness.stores.courses.get(graded);
    expect(course).toMatchObject({ enrollmentsSyncTrigger: 'MOODLE_EVENT' });
    const { memo, status } = await harness.temporal.client.workflow.getHandle(`refresh-course-${graded}`).describe();
    expect([status.name, memo]).toEqual([
      'RUNNING',
      { kind: 'ENROLLMENT', trigger: 'MOODLE_EVENT', courses: `${graded}` },
    ]);
  });

  it('turns a course event into a course sync that finds the new course', async () => {
    const added = harness.sim.site.addCourse({ shortname: 'NEW-EVT', fullname: 'Added in Moodle', categoryid: 1 });
    const answer = await post(api, event(String.raw`\core\event\course_created`, added.id, { objecttable: 'course' }));
    expect([answer.status, answer.body]).toEqual([202, { status: 'queued', workflowId: 'refresh-course-list' }]);
    const deadline = Date.now() + VISIBLE_WITHIN_MS;
    let found = await harness.stores.courses.get(added.id);
    while (found === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      found = await harness.stores.courses.get(added.id);
    }
    expect(found?.state).toBe('NEW');
  });

  it('waits for another sync that holds the course, then reads Moodle after it', async () => {
    const userId = harness.sim.site.students(second)[0]!.id;
    const heldUntil = new Date(Date.now() + 4_000);
    const claim = await harness.stores.courseLeases.take(
      second,
      { key: 'another-run/1/1', workflowId: 'enrollment-sync-manual-all' },
      new Date(),
      4_000,
    );
    expect(claim.taken).toBe(true);
    regrade(harness.sim.site, second, userId);
    expect((await post(api, userGraded(second))).status).toBe(202);
    // The course is busy: tried again every BUSY_RETRY_MS, and synced once the other hold lapsed.
    expect(await untilSynced(second, userId, 3_000)).toBe(false);
    expect(await untilSynced(second, userId)).toBe(true);
    const enrollment = await harness.stores.enrollments.collection.findOne({ courseId: second, moodleUserId: userId });
    expect(enrollment!.lastSyncedAt!.getTime()).toBeGreaterThanOrEqual(heldUntil.getTime());
  }, 45_000);

  it('keeps a pending event through a worker restart', async () => {
    const userId = harness.sim.site.students(graded)[1]!.id;
    await harness.worker.shutdown();
    regrade(harness.sim.site, graded, userId);
    // No worker polls the queue: the event and the refresh's timers wait in Temporal for the next one.
    expect((await post(api, userGraded(graded))).status).toBe(202);
    expect(await untilSynced(graded, userId, 3_000)).toBe(false);
    const worker = await harness.newWorker();
    const run = worker.run();
    try {
      expect(await untilSynced(graded, userId)).toBe(true);
    } finally {
      worker.shutdown();
      await run;
    }
  }, 40_000);

  it('cuts a flood off at the rate limit, and keeps the secret out of histories and logs', async () => {
    // Unsigned requests have a budget of their own: a flood of them never eats into Moodle's.
    const unsigned = await Promise.all(
      Array.from({ length: REFUSALS_PER_MINUTE + 10 }, () =>
        post(limitedApi, userGraded(FIRST_COURSE + 50, { token: 'not-the-secret' })),
      ),
    );
    expect([401, 429].map((status) => unsigned.filter((answer) => answer.status === status).length)).toEqual([
      REFUSALS_PER_MINUTE,
      10,
    ]);
    const answers = await Promise.all(
      Array.from({ length: FLOOD_LIMIT + 20 }, () => post(limitedApi, userGraded(FIRST_COURSE + 50))),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(FLOOD_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    const limited = answers.find((answer) => answer.status === 429)!;
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    const places = await expectNoSecrets([SECRET], {
      temporal: harness.temporal.client,
      query: `TaskQueue = '${harness.temporal.taskQueue}'`,
      db: harness.database.db,
      logs: logs.map((line) => JSON.parse(line) as Record<string, unknown>),
      shown: [],
    });
    expect(places).toBeGreaterThan(2);
  });
});
