import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createApp, type ApiApp } from '../../../src/api/app';
import { generateApiKey, hashApiKey } from '../../../src/api/auth';
import { encodeCursor } from '../../../src/api/cursors';
import type { CourseRecord } from '../../../src/domain/course';
import { emptyCourseDiff, type CourseDiff } from '../../../src/domain/course-diff';
import { createLogger } from '../../../src/logger';
import type { Stores } from '../../../src/store';
import type { Database } from '../../../src/store/mongo';
import { temporalSyncLauncher } from '../../../src/temporal/launcher';
import { moodleCourseFields } from '../../support/courses';
import { openTestStores, testConfig, uniqueName } from '../../support/environment';
import { loadConfig } from '../../../src/config';

/**
 * The resolvers through Yoga's own `fetch`, with no HTTP server, over a real
 * database seeded directly through the stores (no Moodle, no sync). Syncs are
 * started for real, on a task queue no worker polls, and terminated.
 */
const ADMIN_KEY = generateApiKey();
const READER_KEY = generateApiKey();
/** The app's clock: runs are seeded relative to it, and the manual-sync workflow id is built from it. */
const NOW = new Date();
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

interface Response<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** The course sync's own write path, fed a diff that creates these courses. */
function creating(ids: number[]): CourseDiff {
  const created: CourseRecord[] = ids.map((moodleId) => ({
    moodleId,
    state: 'NEW',
    moodle: moodleCourseFields(`C${moodleId}`),
    lmsDeletedAt: null,
  }));
  return { ...emptyCourseDiff(ids.length), created };
}

describe('GraphQL resolvers through yoga.fetch on a real store', () => {
  let database: Database;
  let stores: Stores;
  let connection: Connection;
  let client: Client;
  let app: ApiApp;
  let studentId: string;
  const taskQueue = uniqueName('api-unpolled');

  async function ask<T = Record<string, unknown>>(
    key: string,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<Response<T>> {
    const response = await app.fetch('http://127.0.0.1/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as Omit<Response<T>, 'status'>) };
  }
  const admin = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    ask<T>(ADMIN_KEY, query, variables);
  const reader = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    ask<T>(READER_KEY, query, variables);
  const data = <T>(response: Response<T>): T => {
    if (response.errors) throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`);
    return response.data as T;
  };
  /** Each error's code and extra extensions, in order. */
  const errors = (response: Response<unknown>) => (response.errors ?? []).map((error) => error.extensions);

  beforeAll(async () => {
    ({ database, stores } = await openTestStores());
    const { temporal } = testConfig();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    app = createApp({
      stores,
      moodle: {
        getUsersByField: () => Promise.reject(new Error('these tests never ask Moodle')),
      },
      syncs: temporalSyncLauncher(client, { temporal: { taskQueue }, sync: { courseConcurrency: 2 } }, () => NOW),
      now: () => NOW,
      syncIntervals: loadConfig({}).sync,
      apiKeys: [
        { role: 'admin', sha256: hashApiKey(ADMIN_KEY) },
        { role: 'reader', sha256: hashApiKey(READER_KEY) },
      ],
      graphiql: false,
      logger: createLogger('silent'),
    });

    // 101 OPEN, 102 CLOSED, 103 NEW, 104 OPEN, 105 OPEN but deleted in Moodle.
    const at = minutesAgo(60);
    await stores.courses.applyDiff(creating([101, 102, 103, 104, 105]), at);
    for (const id of [101, 104, 105]) await stores.courses.setState(id, 'OPEN', at);
    await stores.courses.setState(102, 'CLOSED', at);
    await stores.courses.markDeleted([105], at);
    studentId = (await stores.students.create({ moodleUserId: 2001, fullName: 'Alice Martin' }, at))._id.toHexString();
  });

  afterAll(async () => {
    await connection?.close();
    await database?.close();
  });

  describe('courses', () => {
    type Courses = {
      courses: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { id: string; state: string } }[];
      };
    };
    const list =
      'query($first: Int, $after: String, $states: [CourseState!]) ' +
      '{ courses(first: $first, after: $after, states: $states) ' +
      '{ totalCount pageInfo { hasNextPage endCursor } edges { node { id state } } } }';
    const ids = (response: Courses) => response.courses.edges.map((edge) => edge.node.id);

    it('lists NEW courses for admins only, and never deleted ones unless asked', async () => {
      const forAdmin = data(await admin<Courses>(list)).courses;
      expect(forAdmin.edges.map((edge) => [edge.node.id, edge.node.state])).toEqual([
        ['101', 'OPEN'],
        ['102', 'CLOSED'],
        ['103', 'NEW'],
        ['104', 'OPEN'],
      ]);
      expect(forAdmin.totalCount).toBe(4);

      const forReader = data(await reader<Courses>(list));
      expect(ids(forReader)).toEqual(['101', '102', '104']);
      expect(forReader.courses.totalCount).toBe(3);
      // Asking for NEW explicitly does not get a reader any.
      expect(data(await reader<Courses>(list, { states: ['NEW'] })).courses).toMatchObject({
        totalCount: 0,
        edges: [],
      });
      expect(data(await reader<{ course: unknown }>('{ course(id: "103") { id } }')).course).toBeNull();
      expect(data(await admin<{ course: { id: string } }>('{ course(id: "103") { id } }')).course).toEqual({
        id: '103',
      });
      expect(
        ids(
          data(
            await admin<Courses>(
              '{ courses(includeDeleted: true) ' +
                '{ totalCount pageInfo { hasNextPage endCursor } edges { node { id state } } } }',
            ),
          ),
        ),
      ).toEqual(['101', '102', '103', '104', '105']);
    });

    it('pages with the cursor it gave out, to the last page', async () => {
      const first = data(await admin<Courses>(list, { first: 3 })).courses;
      expect(first.edges.map((edge) => edge.node.id)).toEqual(['101', '102', '103']);
      expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor('courses', 103) });

      const last = data(await admin<Courses>(list, { first: 3, after: first.pageInfo.endCursor })).courses;
      expect(last).toEqual({
        totalCount: 4,
        pageInfo: { hasNextPage: false, endCursor: encodeCursor('courses', 104) },
        edges: [{ node: { id: '104', state: 'OPEN' } }],
      });
    });

    it.each([
      ['not one of ours', 'bm90LWEtY3Vyc29y'],
      ['ours in form, but naming no course', encodeCursor('courses', 'abc')],
    ])('refuses a cursor %s as BAD_USER_INPUT on "after"', async (_case, after) => {
      const response = await admin(list, { after });
      expect(errors(response)).toEqual([{ code: 'BAD_USER_INPUT', argument: 'after' }]);
      expect(response.data ?? null).toBeNull();
    });

    it('refuses page sizes outside 1…100', async () => {
      for (const first of [0, 101])
        expect(errors(await admin(list, { first }))).toEqual([{ code: 'BAD_USER_INPUT', argument: 'first' }]);
    });
  });

  describe('mutations', () => {
    it('are refused to readers with 403 FORBIDDEN', async () => {
      const response = await reader('mutation { setCourseState(courseId: "103", state: OPEN) { id } }');
      expect(response.status).toBe(403);
      expect(errors(response)).toEqual([{ code: 'FORBIDDEN' }]);
      expect((await stores.courses.get(103))?.state).toBe('NEW');
    });

    it.each([
      ['marking a course NEW', '"101", state: NEW', { code: 'BAD_USER_INPUT', argument: 'state' }],
      ['a malformed course id', '"ENG201", state: OPEN', { code: 'BAD_USER_INPUT', argument: 'courseId' }],
      ['an unknown course', '"999", state: OPEN', { code: 'NOT_FOUND' }],
      ['a course deleted in Moodle', '"105", state: CLOSED', { code: 'COURSE_DELETED' }],
    ])('setCourseState refuses %s', async (_case, args, extensions) => {
      expect(errors(await admin(`mutation { setCourseState(courseId: ${args}) { id } }`))).toEqual([extensions]);
    });

    it('setCourseState opens a NEW course and stamps when', async () => {
      type Set = { setCourseState: { id: string; state: string } };
      expect(data(await admin<Set>('mutation { setCourseState(courseId: "103", state: OPEN) { id state } }'))).toEqual({
        setCourseState: { id: '103', state: 'OPEN' },
      });
      expect(await stores.courses.get(103)).toMatchObject({ state: 'OPEN', stateChangedAt: NOW });
    });

    it.each([
      ['an unknown course', '999', 'student', { code: 'NOT_FOUND', argument: 'courseId' }],
      ['a CLOSED course', '102', 'student', { code: 'COURSE_NOT_OPEN', state: 'CLOSED' }],
      ['a deleted course', '105', 'student', { code: 'COURSE_DELETED' }],
      ['an unknown student', '101', '0123456789abcdef01234567', { code: 'NOT_FOUND', argument: 'studentId' }],
      ['a malformed student id', '101', 'alice', { code: 'BAD_USER_INPUT', argument: 'studentId' }],
    ])('createEnrollment refuses %s, creating nothing', async (_case, courseId, student, extensions) => {
      const variables = { c: courseId, s: student === 'student' ? studentId : student };
      const response = await admin(
        'mutation($c: ID!, $s: ID!) { createEnrollment(courseId: $c, studentId: $s) { id } }',
        variables,
      );
      expect(errors(response)).toEqual([extensions]);
      expect(await stores.enrollments.collection.countDocuments({})).toBe(0);
    });

    it('createEnrollment enrolls a student once in an OPEN course', async () => {
      type Created = {
        createEnrollment: {
          course: { id: string };
          student: { fullName: string };
          progress: unknown;
          lastSyncedAt: unknown;
        };
      };
      const mutation =
        'mutation($s: ID!) { createEnrollment(courseId: "101", studentId: $s) ' +
        '{ course { id } student { fullName } progress { percent } lastSyncedAt } }';
      expect(data(await admin<Created>(mutation, { s: studentId }))).toEqual({
        createEnrollment: {
          course: { id: '101' },
          student: { fullName: 'Alice Martin' },
          progress: null,
          lastSyncedAt: null,
        },
      });
      expect(errors(await admin(mutation, { s: studentId }))).toEqual([{ code: 'ALREADY_ENROLLED' }]);
      expect(await stores.enrollments.collection.countDocuments({ courseId: 101 })).toBe(1);
      // The course is followed from now on, and has never been synced or tried.
      expect(await stores.courses.get(101)).toMatchObject({ followedAt: expect.any(Date) });
      expect(data(await reader('{ course(id: "101") { lastSyncedAt lastAttemptAt lastSyncTrigger } }'))).toEqual({
        course: { lastSyncedAt: null, lastAttemptAt: null, lastSyncTrigger: null },
      });
    });
  });

  describe('sync health', () => {
    const status =
      '{ syncStatus { connection cause message lastSuccessAt ' +
      'lastCourseSync { kind outcome counts { name value } } lastEnrollmentSync { outcome error } } }';

    it('is UNKNOWN before any run finished', async () => {
      expect(data(await reader(status))).toEqual({
        syncStatus: {
          connection: 'UNKNOWN',
          cause: null,
          message: 'No sync has finished yet.',
          lastSuccessAt: null,
          lastCourseSync: null,
          lastEnrollmentSync: null,
        },
      });
    });

    it('dates the oldest course data from course 101, enrolled above: never synced, followed two intervals ago', async () => {
      // The API dated its first enrollment; as if that had been two intervals ago.
      expect((await stores.courses.get(101))?.followedAt).toEqual(expect.any(Date));
      await stores.courses.collection.updateOne({ _id: 101 }, { $set: { followedAt: minutesAgo(60) } });
      // Enrollment syncs every 30 minutes: grades are stale past an hour, and exactly an hour is not yet.
      expect(
        data(await reader('{ syncStatus { staleCourseCount oldestCourseSyncAt oldestCourseDataAgeSeconds } }')),
      ).toEqual({
        syncStatus: {
          staleCourseCount: 0,
          oldestCourseSyncAt: minutesAgo(60).toISOString(),
          oldestCourseDataAgeSeconds: 3600,
        },
      });
      expect(data(await reader('{ staleCourses { totalCount edges { node { id } } } }'))).toEqual({
        staleCourses: { totalCount: 0, edges: [] },
      });
    });

    it('is FAILING with the cause of the failed run, from the seeded sync_runs; runs page newest first', async () => {
      const course = await stores.syncRuns.start(
        { kind: 'COURSE', workflowId: 'course-sync-a', runId: 'r1', trigger: 'SCHEDULE' },
        minutesAgo(10),
      );
      await stores.syncRuns.finish(
        course,
        { outcome: 'SUCCEEDED', counts: { coursesSeen: 5 }, moodleCalls: { core_course_get_courses: 1 }, error: null },
        minutesAgo(9),
      );
      const enrollment = await stores.syncRuns.start(
        { kind: 'ENROLLMENT', workflowId: 'enrollment-sync-a', runId: 'r2', trigger: 'SCHEDULE' },
        minutesAgo(5),
      );
      const error = { code: 'MOODLE_INVALID_TOKEN', message: 'Invalid token - token not found' };
      await stores.syncRuns.finish(
        enrollment,
        { outcome: 'FAILED', counts: {}, moodleCalls: { core_webservice_get_site_info: 1 }, error },
        minutesAgo(4),
      );

      expect(data(await reader(status))).toEqual({
        syncStatus: {
          connection: 'FAILING',
          cause: 'INVALID_TOKEN',
          message:
            "Moodle rejects the sync's token (invalid, expired, or its account is blocked): " +
            'Invalid token - token not found.',
          lastSuccessAt: minutesAgo(9).toISOString(),
          lastCourseSync: { kind: 'COURSE', outcome: 'SUCCEEDED', counts: [{ name: 'coursesSeen', value: 5 }] },
          lastEnrollmentSync: { outcome: 'FAILED', error: error.message },
        },
      });

      type Runs = {
        syncRuns: { totalCount: number; pageInfo: { endCursor: string }; edges: { node: { id: string } }[] };
      };
      const runs =
        'query($after: String) { syncRuns(first: 1, after: $after) ' +
        '{ totalCount pageInfo { endCursor } edges { node { id } } } }';
      const first = data(await reader<Runs>(runs)).syncRuns;
      expect(first.edges).toEqual([{ node: { id: enrollment } }]);
      expect(data(await reader<Runs>(runs, { after: first.pageInfo.endCursor })).syncRuns.edges).toEqual([
        { node: { id: course } },
      ]);
      expect(errors(await reader(runs, { after: encodeCursor('syncRuns', 'no-such-run') }))).toEqual([
        { code: 'BAD_USER_INPUT', argument: 'after' },
      ]);
    });
  });

  describe('triggerEnrollmentSync', () => {
    /** What a sync of several courses started at NOW is called. */
    // Named by the set of courses, not the time: the same request again joins this run.
    const workflowId = 'enrollment-sync-manual-courses-101-104';

    it.each([
      ['no course', '[]', { code: 'BAD_USER_INPUT' }],
      ['an unknown course', '["101", "999"]', { code: 'NOT_FOUND', courseIds: ['999'] }],
    ])('refuses %s before starting anything', async (_case, courseIds, extensions) => {
      expect(
        errors(await admin(`mutation { triggerEnrollmentSync(courseIds: ${courseIds}) { workflowIds } }`)),
      ).toEqual([extensions]);
      await expect(client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    });

    it('starts one enrollment sync of the chosen courses on the configured task queue', async () => {
      type Started = { triggerEnrollmentSync: { workflowIds: string[] } };
      const started = data(
        await admin<Started>('mutation { triggerEnrollmentSync(courseIds: ["104", "101", "104"]) { workflowIds } }'),
      );
      expect(started).toEqual({ triggerEnrollmentSync: { workflowIds: [workflowId] } });

      // No worker polls this queue: the workflow waits there, and is terminated so nothing is left behind.
      const handle = client.workflow.getHandle(workflowId);
      try {
        const description = await handle.describe();
        expect(description).toMatchObject({ type: 'enrollmentSyncWorkflow', taskQueue, status: { name: 'RUNNING' } });
        expect(description.memo).toEqual({ kind: 'ENROLLMENT', trigger: 'MANUAL', courses: '101, 104' });
      } finally {
        await handle.terminate('test over');
      }
    });
  });
});
