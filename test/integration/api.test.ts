import { loadConfig } from '../../src/config';
import { MongoClient, ObjectId, type CommandStartedEvent } from 'mongodb';
import { request } from 'undici';
import { generateApiKey, hashApiKey } from '../../src/api/auth';
import { createApp } from '../../src/api/app';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { createLogger } from '../../src/logger';
import { demoSite } from '../../src/moodle-sim';
import { createStores, type Stores } from '../../src/store';
import { MONGODB_TRAITS } from '../../src/store/mongo';
import { temporalSyncLauncher } from '../../src/temporal/launcher';
import { errorCodes, graphql, type GraphQLResponse } from '../support/graphql';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness';

const TOKEN = 'a11ce000a11ce000a11ce000a11ce000';
const ADMIN_KEY = generateApiKey();
const READER_KEY = generateApiKey();
const API_KEYS = [
  { role: 'admin' as const, sha256: hashApiKey(ADMIN_KEY) },
  { role: 'reader' as const, sha256: hashApiKey(READER_KEY) },
];

/** Starts the API over `stores` on a free loopback port, the way `sms-sync api` does. */
async function startApi(harness: SyncHarness, stores: Stores): Promise<ApiServer> {
  const now = () => new Date();
  const app = createApp({
    stores,
    moodle: harness.moodle,
    syncs: temporalSyncLauncher(
      harness.temporal.client,
      { temporal: { taskQueue: harness.temporal.taskQueue }, sync: loadConfig({}).sync },
      now,
    ),
    now,
    syncIntervals: loadConfig({}).sync,
    apiKeys: API_KEYS,
    graphiql: false,
    logger: createLogger('silent'),
  });
  return startApiServer(app, { host: '127.0.0.1', port: 0, isReady: async () => true });
}

/** Every document of the SMS's own collections, to show a refused mutation changed nothing. */
async function snapshot(stores: Stores) {
  const [courses, students, enrollments] = await Promise.all([
    stores.courses.collection.find({}).sort({ _id: 1 }).toArray(),
    stores.students.collection.find({}).sort({ _id: 1 }).toArray(),
    stores.enrollments.collection.find({}).sort({ _id: 1 }).toArray(),
  ]);
  return { courses, students, enrollments };
}

describe('the GraphQL API over HTTP, on the real database and Temporal', () => {
  let harness: SyncHarness;
  let api: ApiServer;
  const ids: Record<'alice' | 'bongani' | 'other', string> = { alice: '', bongani: '', other: '' };

  const admin = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    graphql<T>(api.url, query, { key: ADMIN_KEY, variables });
  const reader = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    graphql<T>(api.url, query, { key: READER_KEY, variables });
  const data = <T>(response: GraphQLResponse<T>): T => {
    if (response.body.errors) throw new Error(`unexpected errors: ${JSON.stringify(response.body.errors)}`);
    return response.body.data as T;
  };

  async function expectRefusedWithoutChange(mutation: () => Promise<GraphQLResponse>, code: string) {
    const before = await snapshot(harness.stores);
    const response = await mutation();
    expect(errorCodes(response)).toEqual([code]);
    expect(response.body.data ?? null).toBeNull();
    expect(await snapshot(harness.stores)).toEqual(before);
    return response;
  }

  beforeAll(async () => {
    harness = await startSyncHarness({ site: demoSite(), token: TOKEN });
    api = await startApi(harness, harness.stores);
    await harness.runCourseSync();
    for (const [courseId, state] of [
      ['101', 'OPEN'],
      ['103', 'OPEN'],
      ['102', 'CLOSED'],
    ]) {
      data(
        await admin('mutation($c: ID!, $s: CourseState!) { setCourseState(courseId: $c, state: $s) { id } }', {
          c: courseId,
          s: state,
        }),
      );
    }
    const create = async (args: string) =>
      data(await admin<{ createStudent: { id: string } }>(`mutation { createStudent(${args}) { id } }`)).createStudent
        .id;
    ids.alice = await create('idNumber: "S1001"');
    ids.bongani = await create('email: "bongani.dlamini@students.example.edu"');
    ids.other = await create('moodleUserId: 2004');
    for (const [courseId, studentId] of [
      ['101', ids.alice],
      ['101', ids.bongani],
      ['103', ids.other],
    ]) {
      data(
        await admin('mutation($c: ID!, $s: ID!) { createEnrollment(courseId: $c, studentId: $s) { id } }', {
          c: courseId,
          s: studentId,
        }),
      );
    }
    await harness.runEnrollmentSync();
  });

  afterAll(async () => {
    await api?.close();
    await harness?.close();
  });

  describe('authentication and roles', () => {
    it.each([
      ['no key', undefined],
      ['a wrong key', 'sms_not-a-key'],
    ])('refuses a request with %s: 401 UNAUTHENTICATED', async (_case, key) => {
      const response = await graphql(api.url, '{ courses { totalCount } }', { key });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        errors: [
          {
            message: 'A valid API key is required (Authorization: Bearer <key>).',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
    });

    it('answers the liveness and readiness probes anonymously', async () => {
      for (const path of ['/health/live', '/health/ready']) {
        const response = await request(`${api.url}${path}`);
        expect(response.statusCode).toBe(200);
        await response.body.dump();
      }
    });

    it('lets readers read but not change anything: 403 FORBIDDEN', async () => {
      expect(
        data(await reader<{ courses: { totalCount: number } }>('{ courses { totalCount } }')).courses.totalCount,
      ).toBe(3);
      const response = await expectRefusedWithoutChange(
        () => reader('mutation { setCourseState(courseId: "101", state: CLOSED) { id } }'),
        'FORBIDDEN',
      );
      expect(response.status).toBe(403);
    });
  });

  describe('reads', () => {
    it('lists the Courses tab; NEW courses for admins only', async () => {
      const query = '{ courses { totalCount edges { node { id state shortName deleted } } } }';
      type Courses = { courses: { totalCount: number; edges: { node: { id: string; state: string } }[] } };
      const forAdmin = data(await admin<Courses>(query)).courses;
      expect(forAdmin.edges.map((edge) => [edge.node.id, edge.node.state])).toEqual([
        ['101', 'OPEN'],
        ['102', 'CLOSED'],
        ['103', 'OPEN'],
        ['104', 'NEW'],
      ]);
      const forReader = data(await reader<Courses>(query)).courses;
      expect(forReader.edges.map((edge) => edge.node.id)).toEqual(['101', '102', '103']);
      expect(data(await reader<{ course: unknown }>('{ course(id: "104") { id } }')).course).toBeNull();

      const filtered = data(
        await admin<Courses>('{ courses(states: [OPEN], search: "eng") { totalCount edges { node { id state } } } }'),
      );
      expect(filtered.courses.edges.map((edge) => edge.node.id)).toEqual(['101']);
    });

    it('serves an enrollment page with student names, progress, grade and report card', async () => {
      type Page = {
        enrollments: {
          totalCount: number;
          edges: {
            node: {
              student: { fullName: string };
              course: { shortName: string };
              progress: { percent: number | null; graded: number; total: number };
              grade: { formatted: string; percentage: string; letter: string };
              reportCard: { name: string; itemType: string; grade: string; range: string; hidden: boolean }[];
              syncError: unknown;
            };
          }[];
        };
      };
      const page = data(
        await reader<Page>(
          `{ enrollments(courseId: "101") { totalCount edges { node {
          student { fullName } course { shortName } progress { percent graded total }
          grade { formatted percentage letter } reportCard { name itemType grade range hidden } ` +
            `syncError { code } } } } }`,
        ),
      ).enrollments;
      expect(page.totalCount).toBe(2);
      const byName = new Map(page.edges.map((edge) => [edge.node.student.fullName, edge.node]));
      expect(byName.get('Alice Martin')).toMatchObject({
        course: { shortName: 'ENG201-2025' },
        progress: { percent: 100, graded: 3, total: 3 },
        grade: { formatted: '94.50', percentage: '78.75 %', letter: 'C+' },
        syncError: null,
      });
      expect(byName.get('Alice Martin')?.reportCard.at(-1)).toEqual({
        name: 'Course total',
        itemType: 'course',
        grade: '94.50',
        range: '0–120',
        hidden: false,
      });
      expect(byName.get('Bongani Dlamini')?.progress).toEqual({ percent: 0, graded: 0, total: 3 });
    });

    it(
      'serves a report card kept in the enrollment by the layout before report_cards, ' +
        'until the next sync rewrites it',
      async () => {
        const legacy = (await harness.stores.enrollments.collection.findOne({
          courseId: 101,
          studentId: new ObjectId(ids.bongani),
        }))!;
        const [card] = await harness.stores.reportCards.ofEnrollments([legacy._id.toHexString()]);
        const oldLine = { ...card!.lines[0]!, name: 'Kept in the enrollment' };
        await harness.stores.reportCards.collection.deleteOne({ _id: legacy._id });
        await harness.stores.enrollments.collection.updateOne({ _id: legacy._id }, { $set: { reportCard: [oldLine] } });
        try {
          const served = data(
            await reader<{ enrollment: { reportCard: { name: string }[] } }>(
              'query($id: ID!) { enrollment(id: $id) { reportCard { name } } }',
              {
                id: legacy._id.toHexString(),
              },
            ),
          );
          expect(served.enrollment.reportCard).toEqual([{ name: 'Kept in the enrollment' }]);
        } finally {
          await harness.stores.enrollments.collection.updateOne({ _id: legacy._id }, { $unset: { reportCard: '' } });
          await harness.stores.reportCards.collection.insertOne(card!);
        }
      },
    );

    it('serves a student with their enrollments, and finds students by name', async () => {
      type StudentQuery = {
        student: { fullName: string; idNumber: string; enrollments: { edges: { node: { course: { id: string } } }[] } };
      };
      const student = data(
        await reader<StudentQuery>(
          'query($id: ID!) { student(id: $id) { fullName idNumber enrollments { edges { node { course { id } } } } } }',
          {
            id: ids.alice,
          },
        ),
      ).student;
      expect(student).toEqual({
        fullName: 'Alice Martin',
        idNumber: 'S1001',
        enrollments: { edges: [{ node: { course: { id: '101' } } }] },
      });
      const found = data(
        await reader<{ students: { edges: { node: { id: string } }[] } }>(
          '{ students(search: "ALICE") { edges { node { id } } } }',
        ),
      );
      expect(found.students.edges.map((edge) => edge.node.id)).toEqual([ids.alice]);
    });

    it('pages with cursors and refuses bad cursors and page sizes', async () => {
      type Students = {
        students: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: { node: { id: string } }[];
        };
      };
      const query =
        'query($after: String) { students(first: 2, after: $after) ' +
        '{ totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }';
      const first = data(await reader<Students>(query)).students;
      expect(first).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
      const last = data(await reader<Students>(query, { after: first.pageInfo.endCursor })).students;
      expect(last.pageInfo.hasNextPage).toBe(false);
      expect([...first.edges, ...last.edges].map((edge) => edge.node.id).sort()).toEqual(Object.values(ids).sort());

      expect(errorCodes(await reader(query, { after: 'bm90LWEtY3Vyc29y' }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await reader('{ courses(after: "c29tZXRoaW5n") { totalCount } }'))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await reader('{ students(first: 0) { totalCount } }'))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await reader('{ students(first: 101) { totalCount } }'))).toEqual(['BAD_USER_INPUT']);
    });

    it('reports sync health, runs and errors', async () => {
      type Health = {
        syncStatus: {
          connection: string;
          lastCourseSync: { outcome: string; moodleCalls: { name: string; value: number }[] };
        };
        syncRuns: { totalCount: number; edges: { node: { kind: string; outcome: string } }[] };
        syncErrors: { totalCount: number };
      };
      const health = data(
        await reader<Health>(`{ syncStatus { connection lastCourseSync { outcome moodleCalls { name value } } }
          syncRuns { totalCount edges { node { kind outcome } } } syncErrors { totalCount } }`),
      );
      expect(health.syncStatus.connection).toBe('HEALTHY');
      expect(health.syncStatus.lastCourseSync.outcome).toBe('SUCCEEDED');
      expect(health.syncStatus.lastCourseSync.moodleCalls).toContainEqual({
        name: 'core_course_get_courses',
        value: 1,
      });
      expect(health.syncRuns.edges.map((edge) => edge.node.kind)).toEqual(['ENROLLMENT', 'COURSE']);
      expect(health.syncErrors.totalCount).toBe(0);
    });

    it('batches the lookups of a page: the number of database queries does not grow with the page', async () => {
      const client = new MongoClient(`mongodb://${harness.database.client.options.hosts[0]!.toString()}`, {
        monitorCommands: true,
        directConnection: true,
      });
      const commands: string[] = [];
      client.on('commandStarted', (event: CommandStartedEvent) => commands.push(event.commandName));
      // MongoDB's traits: the batching is what is checked here. The embedded store answers a batch with one
      // equality query per id instead, each served by an index (store-queries.test.ts).
      const counted = await startApi(
        harness,
        createStores({ db: client.db(harness.database.db.databaseName), traits: MONGODB_TRAITS }),
      );
      try {
        const page = (first: number) =>
          graphql(
            counted.url,
            `{ enrollments(first: ${first}) { edges { node { course { shortName } student { fullName } } } } }`,
            { key: READER_KEY },
          );
        const queriesFor = async (first: number) => {
          commands.length = 0;
          expect((await page(first)).body.errors).toBeUndefined();
          return commands.filter((name) => name === 'find' || name === 'aggregate' || name === 'count').length;
        };
        expect(await queriesFor(3)).toBe(await queriesFor(1));
        expect(await queriesFor(3)).toBeLessThanOrEqual(4);

        // A student's page: the student, their enrollments and its count, and one batched course lookup.
        commands.length = 0;
        const studentPage = await graphql(
          counted.url,
          (
            '{ student(id: "%s") { fullName enrollments(first: 50) ' +
            '{ totalCount edges { node { course { shortName lastSyncedAt } grade { formatted } } } } } }'
          ).replace('%s', ids.alice),
          { key: READER_KEY },
        );
        expect(studentPage.body.errors).toBeUndefined();
        expect(
          commands.filter((name) => name === 'find' || name === 'aggregate' || name === 'count').length,
        ).toBeLessThanOrEqual(5);
      } finally {
        await counted.close();
        await client.close();
      }
    });
  });

  describe('refused mutations change nothing', () => {
    it.each([
      ['marking a course NEW', 'mutation { setCourseState(courseId: "101", state: NEW) { id } }', 'BAD_USER_INPUT'],
      ['an unknown course', 'mutation { setCourseState(courseId: "999", state: OPEN) { id } }', 'NOT_FOUND'],
      [
        'a malformed course id',
        'mutation { setCourseState(courseId: "ENG201", state: OPEN) { id } }',
        'BAD_USER_INPUT',
      ],
      [
        'an enrollment in a NEW course',
        'mutation { createEnrollment(courseId: "104", studentId: "%alice") { id } }',
        'COURSE_NOT_OPEN',
      ],
      [
        'an enrollment in a CLOSED course',
        'mutation { createEnrollment(courseId: "102", studentId: "%alice") { id } }',
        'COURSE_NOT_OPEN',
      ],
      [
        'an enrollment of an unknown student',
        'mutation { createEnrollment(courseId: "101", studentId: "0123456789abcdef01234567") { id } }',
        'NOT_FOUND',
      ],
      [
        'an enrollment that exists',
        'mutation { createEnrollment(courseId: "101", studentId: "%alice") { id } }',
        'ALREADY_ENROLLED',
      ],
      [
        'a student Moodle does not know',
        'mutation { createStudent(idNumber: "S9999") { id } }',
        'MOODLE_USER_NOT_FOUND',
      ],
      [
        'a student named two ways',
        'mutation { createStudent(idNumber: "S1001", email: "x@example.edu") { id } }',
        'BAD_USER_INPUT',
      ],
      ['a student who exists', 'mutation { createStudent(idNumber: "S1001") { id } }', 'STUDENT_EXISTS'],
      [
        'a sync of an unknown course',
        'mutation { triggerEnrollmentSync(courseIds: ["999"]) { workflowIds } }',
        'NOT_FOUND',
      ],
      ['a non-date "since"', 'mutation { replayFailedSyncs(since: "yesterday") { workflowIds } }', 'BAD_USER_INPUT'],
    ])('refuses %s', async (_case, mutation, code) => {
      await expectRefusedWithoutChange(() => admin(mutation.replace('%alice', ids.alice)), code);
    });
  });

  describe('protection against abuse', () => {
    it('refuses queries nested too deep or with too many aliases', async () => {
      const deep =
        `{ enrollments { edges { node { course { enrollments { edges { node { ` +
        `student { enrollments { edges { node { id } } } } } } } } } } } }`;
      const deepResponse = await reader(deep);
      expect(deepResponse.body.errors?.[0]?.message).toMatch(/^Query depth limit of 8 exceeded, found \d+\.$/);
      expect(errorCodes(deepResponse)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(deepResponse.body.data ?? null).toBeNull();
      const aliasList = Array.from({ length: 12 }, (_, index) => `a${index}: syncStatus { connection }`).join(' ');
      const aliases = `{ ${aliasList} }`;
      const aliasResponse = await reader(aliases);
      expect(aliasResponse.body.errors?.[0]?.message).toBe('Aliases limit of 10 exceeded, found 12.');
      expect(errorCodes(aliasResponse)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });

    it('accepts the front end’s heaviest page but refuses lists nested in lists', async () => {
      const line = 'name itemType module grade percentage letter range weight feedback gradedAt submittedAt hidden';
      const enrollment =
        `id lastSyncedAt progress { percent graded total } ` +
        `grade { raw formatted percentage letter min max range } ` +
        `reportCard { ${line} } syncError { code message at }`;
      const heaviestPage =
        `query($s: ID!) { student(id: $s) { id fullName enrollments(first: 50) ` +
        `{ totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { ${enrollment} course { id shortName fullName state deleted startDate endDate } } } } } }`;
      expect((await reader(heaviestPage, { s: ids.alice })).body.errors).toBeUndefined();

      const nested =
        `{ courses(first: 100) { edges { node { enrollments(first: 100) ` +
        `{ edges { node { ${enrollment} } } } } } } }`;
      const response = await reader(nested);
      const tooExpensive = new RegExp(
        String.raw`^The query is too expensive: it costs \d+, and the limit is 50000 ` +
          String.raw`\(a list's "first" multiplies the cost of what it holds\)\.$`,
      );
      expect(response.body.errors?.[0]?.message).toMatch(tooExpensive);
      expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });
  });

  describe('what never reaches a client', () => {
    const faults = [
      ['a revoked token', () => harness.sim.site.revokeToken()],
      ['a function removed from the service', () => harness.sim.site.removeFunction('core_user_get_users_by_field')],
      ['web services switched off', () => harness.sim.site.setWebServicesEnabled(false)],
      ['maintenance mode', () => harness.sim.faults.set({ maintenance: true })],
      ['HTML 5xx pages', () => harness.sim.faults.set({ serverErrorRate: 1 })],
      ['429s', () => harness.sim.faults.set({ rateLimitRate: 1 })],
      ['malformed JSON', () => harness.sim.faults.set({ malformedRate: 1 })],
      ['HTML error pages', () => harness.sim.faults.set({ htmlErrorRate: 1 })],
      [
        'debugging output',
        () => {
          harness.sim.site.setDebugging(true);
          harness.sim.site.revokeToken();
        },
      ],
    ] as const;

    afterEach(() => {
      harness.sim.faults.reset();
      harness.sim.site.restoreToken();
      harness.sim.site.addFunction('core_user_get_users_by_field');
      harness.sim.site.setWebServicesEnabled(true);
      harness.sim.site.setDebugging(false);
    });

    it.each(faults)('the Moodle token or internals, when Moodle fails with %s', async (_case, breakMoodle) => {
      breakMoodle();
      const response = await expectRefusedWithoutChange(
        () => admin('mutation { createStudent(idNumber: "S100001") { id } }'),
        'MOODLE_UNAVAILABLE',
      );
      expect(response.text).not.toContain(TOKEN);
      expect(response.text).not.toMatch(/stack|at [\w.]+ \(|node_modules|Mongo|undici/i);
      expect(response.body.errors?.[0]?.message).toMatch(/^Moodle could not be asked: /);
    });

    it('a database error: it is masked as "Unexpected error."', async () => {
      const client = new MongoClient(`mongodb://${harness.database.client.options.hosts[0]!.toString()}`, {
        directConnection: true,
      });
      await client.connect();
      const broken = await startApi(
        harness,
        createStores({ db: client.db(harness.database.db.databaseName), traits: harness.database.traits }),
      );
      try {
        await client.close();
        const response = await graphql(broken.url, '{ courses { totalCount } }', { key: READER_KEY });
        expect(response.body.errors).toEqual([
          {
            message: 'Unexpected error.',
            locations: expect.any(Array),
            path: ['courses'],
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          },
        ]);
        expect(response.text).not.toMatch(/Mongo|closed|topology/i);
      } finally {
        await broken.close();
      }
    });
  });

  describe('admin operations that start workflows', () => {
    it('triggers a course sync and answers its workflow id', async () => {
      type Started = { triggerCourseSync: { workflowIds: string[] } };
      const [workflowId] = data(await admin<Started>('mutation { triggerCourseSync { workflowIds } }'))
        .triggerCourseSync.workflowIds;
      expect(workflowId).toMatch(/^course-sync-manual-/);
      const result = (await harness.temporal.client.workflow.getHandle(workflowId!).result()) as {
        counts: { coursesSeen: number };
      };
      expect(result.counts.coursesSeen).toBe(4);
    });

    it('replays exactly the courses that failed, after a technician fixed Moodle', async () => {
      harness.sim.site.denyCourseAccess(103);
      await harness.runEnrollmentSync();
      type Errors = {
        syncErrors: { edges: { node: { courseId: string; code: string; message: string } }[] };
        syncStatus: { connection: string };
      };
      const failing = data(
        await reader<Errors>(
          '{ syncErrors(courseId: "103") { edges { node { courseId code message } } } syncStatus { connection } }',
        ),
      );
      expect(failing.syncErrors.edges.map((edge) => edge.node.code)).toEqual(['MOODLE_COURSE_INACCESSIBLE']);
      expect(failing.syncStatus.connection).toBe('DEGRADED');

      harness.sim.site.allowCourseAccess(103);
      type Replay = {
        replayFailedSyncs: {
          workflowIds: string[];
          courseIds: string[];
          fullCourseSync: boolean;
          fullEnrollmentSync: boolean;
        };
      };
      const replay = data(
        await admin<Replay>(
          'mutation { replayFailedSyncs { workflowIds courseIds fullCourseSync fullEnrollmentSync } }',
        ),
      );
      expect(replay.replayFailedSyncs).toEqual({
        workflowIds: ['enrollment-sync-course-103'],
        courseIds: ['103'],
        fullCourseSync: false,
        fullEnrollmentSync: false,
      });
      await harness.temporal.client.workflow.getHandle('enrollment-sync-course-103').result();
      const healed = data(
        await reader<Errors>('{ syncErrors(courseId: "103") { edges { node { code } } } syncStatus { connection } }'),
      );
      expect(healed.syncErrors.edges).toEqual([]);
      expect(healed.syncStatus.connection).toBe('HEALTHY');
    });

    it('confirms held course deletions', async () => {
      for (const id of [102, 103, 104]) harness.sim.site.deleteCourse(id);
      await harness.runCourseSync();
      type Courses = { courses: { edges: { node: { id: string; deleted: boolean } }[] } };
      const stillListed = data(await admin<Courses>('{ courses { edges { node { id deleted } } } }'));
      expect(stillListed.courses.edges.map((edge) => edge.node.id)).toEqual(['101', '102', '103', '104']);

      type Confirmed = {
        confirmCourseDeletions: { deleted: { id: string; deleted: boolean }[]; ignored: string[]; stillHeld: string[] };
      };
      const confirmed = data(
        await admin<Confirmed>(
          'mutation { confirmCourseDeletions(courseIds: ["102", "101"]) { deleted { id deleted } ignored stillHeld } }',
        ),
      );
      expect(confirmed.confirmCourseDeletions).toEqual({
        deleted: [{ id: '102', deleted: true }],
        ignored: ['101'],
        stillHeld: ['103', '104'],
      });

      const tab = data(await admin<Courses>('{ courses { edges { node { id } } } }'));
      expect(tab.courses.edges.map((edge) => edge.node.id)).toEqual(['101', '103', '104']);
      const withDeleted = data(
        await admin<Courses>('{ courses(includeDeleted: true) { edges { node { id deleted } } } }'),
      );
      expect(withDeleted.courses.edges).toContainEqual({ node: { id: '102', deleted: true } });
      expect(
        data(await reader<{ course: { deleted: boolean } }>('{ course(id: "102") { deleted } }')).course.deleted,
      ).toBe(true);
      const refused = await admin('mutation($s: ID!) { createEnrollment(courseId: "102", studentId: $s) { id } }', {
        s: ids.bongani,
      });
      expect(errorCodes(refused)).toEqual(['COURSE_DELETED']);
    });
  });
});
