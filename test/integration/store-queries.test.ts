import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { MongoClient, ObjectId, type CommandStartedEvent, type Document } from 'mongodb';
import { emptyCourseDiff } from '../../src/domain/course-diff';
import { FERRETDB_DATABASE, findPostgresBinDir, SOCKET_PORT } from '../../src/local/postgres';
import { createStores, ensureIndexes, type Stores } from '../../src/store';
import { newEnrollmentDocument } from '../../src/store/enrollments';
import type { Database } from '../../src/store/mongo';
import { newStudentDocument } from '../../src/store/students';
import { moodleCourseFields } from '../support/courses';
import { openTestDatabase, openTestStores, testConfig, TEST_POSTGRES_SOCKET_VARIABLE } from '../support/environment';

/**
 * The hot queries, as the stores really send them, checked with the embedded
 * store's own `explain`: each filter's selective fields must reach PostgreSQL
 * (FerretDB evaluates everything else on every document of the collection),
 * and PostgreSQL must hold a GIN index for each of them. A store change that
 * wraps a filter in `$and`, turns an equality into `$in` or filters on a field
 * without an index fails here. docs/local-store.md lists the same queries.
 */

const run = promisify(execFile);
const now = new Date('2026-01-01T00:00:00Z');

/** OPEN courses as the course sync creates them. */
async function createCourses(stores: Stores, ids: readonly number[]): Promise<void> {
  const created = ids.map((id) => ({
    moodleId: id,
    state: 'OPEN' as const,
    moodle: moodleCourseFields(`C${id}`, `Course ${id}`),
    lmsDeletedAt: null,
  }));
  await stores.courses.applyDiff({ ...emptyCourseDiff(ids.length), created }, now);
}

/** Every string of a PostgreSQL plan (conditions, names), one a line, unescaped. */
function planStrings(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node === null || typeof node !== 'object') return '';
  return Object.values(node).map(planStrings).filter(Boolean).join('\n');
}

interface Captured {
  collection: string;
  filter: Document;
  /** `aggregate` for counts (the driver's countDocuments), `find` otherwise. */
  kind: 'find' | 'aggregate';
}

/** Every filter the driver sends for one store call: finds, counts and each update statement's query. */
function filtersOf(event: CommandStartedEvent): Captured[] {
  const { command, commandName } = event;
  const collection = command[commandName] as string;
  if (commandName === 'find')
    return [{ collection, filter: (command.filter as Document | undefined) ?? {}, kind: 'find' }];
  if (commandName === 'aggregate') {
    const match = (command.pipeline as Document[])[0]?.$match as Document | undefined;
    return [{ collection, filter: match ?? {}, kind: 'aggregate' }];
  }
  if (commandName === 'update')
    return (command.updates as { q: Document }[]).map(({ q }) => ({ collection, filter: q, kind: 'find' }));
  return [];
}

interface HotQuery {
  name: string;
  call: (stores: Stores) => Promise<unknown>;
  /** The selective fields each of its queries must hand to PostgreSQL, each with a GIN index. */
  pushedDown: string[];
}

// Against MONGODB_URI (no embedded store) the suite shows as skipped.
const socket = process.env[TEST_POSTGRES_SOCKET_VARIABLE];

(socket === undefined ? describe.skip : describe)('hot queries on the embedded store', () => {
  let database: Database;
  let monitored: MongoClient;
  let stores: Stores;
  let captured: CommandStartedEvent[] = [];
  const courseId = 42;
  const studentId = new ObjectId();
  const enrollmentIds: string[] = [];

  const psql = path.join(findPostgresBinDir(testConfig().tools.postgresBinDir), 'psql');
  const sql = async (statement: string) =>
    (
      await run(psql, [
        '-h',
        socket as string,
        '-p',
        String(SOCKET_PORT),
        '-U',
        'postgres',
        '-d',
        FERRETDB_DATABASE,
        '-X',
        '-At',
        '-c',
        statement,
      ])
    ).stdout.trim();

  beforeAll(async () => {
    database = await openTestDatabase();
    monitored = new MongoClient(`mongodb://${database.client.options.hosts[0]!.toString()}`, {
      monitorCommands: true,
      directConnection: true,
    });
    await monitored.connect();
    monitored.on('commandStarted', (event: CommandStartedEvent) => captured.push(event));
    stores = createStores({ db: monitored.db(database.db.databaseName), traits: database.traits });
    await ensureIndexes(stores);
    await createCourses(stores, [courseId, courseId + 1]);
    const student = { ...newStudentDocument({ moodleUserId: 7, fullName: 'Ada Lovelace' }, now), _id: studentId };
    await stores.students.collection.insertOne(student);
    const enrollments = [courseId, courseId + 1].map((id) =>
      newEnrollmentDocument({ courseId: id, studentId, moodleUserId: 7 }, now),
    );
    await stores.enrollments.collection.insertMany(enrollments);
    enrollmentIds.push(...enrollments.map((enrollment) => enrollment._id.toHexString()));
  });

  afterAll(async () => {
    await monitored?.close();
    await database?.close();
  });

  const enrollmentId = () => new ObjectId(enrollmentIds[0]);
  const syncWrite = () => ({
    id: enrollmentId(),
    snapshotHash: 'h',
    snapshot: { progress: { percent: 50, graded: 1, total: 2 }, grade: null, reportCard: [] },
  });

  const hotQueries: HotQuery[] = [
    // The enrollment sync, per course.
    { name: 'course by id', call: (s) => s.courses.get(courseId), pushedDown: ['_id'] },
    {
      name: "a course's enrollments to sync",
      call: (s) => s.enrollments.syncStates(courseId),
      pushedDown: ['courseId'],
    },
    {
      name: 'write enrollments and report cards',
      call: (s) => s.enrollments.writeSyncResults(s.reportCards, { courseId, readAt: now }, [syncWrite()], now),
      pushedDown: ['_id'],
    },
    {
      name: 'record the course read',
      call: (s) => s.courses.recordEnrollmentSync(courseId, 3, now),
      pushedDown: ['_id'],
    },
    {
      name: "record a course's failed try",
      call: (s) => s.courses.recordEnrollmentSyncFailure(courseId, 'MOODLE_EVENT', now),
      pushedDown: ['_id'],
    },
    {
      name: 'record sync errors',
      call: (s) => s.syncErrors.recordMany([{ scope: `course:${courseId}`, courseId, code: 'X', message: 'x' }], now),
      pushedDown: ['scope'],
    },
    {
      name: "resolve a course's error",
      call: (s) => s.syncErrors.resolve([`course:${courseId}`], now),
      pushedDown: ['scope'],
    },
    {
      name: "resolve a course's recovered enrollments",
      call: (s) =>
        s.syncErrors.resolve(
          enrollmentIds.map((id) => `enrollment:${id}`),
          now,
          courseId,
        ),
      pushedDown: ['courseId'],
    },
    {
      name: 'courses of a one-course sync',
      call: (s) => s.enrollments.courseIds([courseId]),
      pushedDown: ['courseId'],
    },
    {
      name: 'deleted among courses to sync',
      call: (s) => s.courses.partitionDeleted([courseId, courseId + 1]),
      pushedDown: ['_id'],
    },
    // The front end's pages.
    {
      name: "a course's enrollments, first page",
      call: (s) => s.enrollments.list({ courseId }, { first: 50 }),
      pushedDown: ['courseId'],
    },
    {
      name: "a course's enrollments, next page",
      call: (s) => s.enrollments.list({ courseId }, { first: 50, after: enrollmentIds[0] }),
      pushedDown: ['courseId'],
    },
    { name: "a course's enrollment count", call: (s) => s.enrollments.count({ courseId }), pushedDown: ['courseId'] },
    {
      name: "a student's enrollments",
      call: (s) => s.enrollments.list({ studentId }, { first: 50 }),
      pushedDown: ['studentId'],
    },
    { name: 'one enrollment', call: (s) => s.enrollments.get(enrollmentIds[0] as string), pushedDown: ['_id'] },
    { name: 'report cards of a page', call: (s) => s.reportCards.ofEnrollments(enrollmentIds), pushedDown: ['_id'] },
    { name: 'students of a page', call: (s) => s.students.getMany([studentId.toHexString()]), pushedDown: ['_id'] },
    { name: 'courses of a page', call: (s) => s.courses.getMany([courseId, courseId + 1]), pushedDown: ['_id'] },
    {
      name: 'NEW courses to triage',
      call: (s) => s.courses.list({ states: ['NEW'], includeDeleted: false }, { first: 50 }),
      pushedDown: ['state', 'deleted'],
    },
    // A student enrolled in a course no sync has tried: the course is marked followed (once).
    {
      name: 'mark a course followed',
      call: async (s) => s.courses.markFollowed((await s.courses.get(courseId + 1))!, new Date()),
      pushedDown: ['_id'],
    },
    // syncStatus.
    { name: 'latest run of a kind', call: (s) => s.syncRuns.latest('ENROLLMENT'), pushedDown: ['kind'] },
    // Stale courses and the oldest course data (syncStatus' freshness fields, staleCourses, `sms-sync status`):
    // every live course, small documents; which are followed is decided in code.
    { name: 'followed live courses', call: (s) => s.courses.followedLive(), pushedDown: ['deleted'] },
    {
      name: 'latest finished run of a kind',
      call: (s) => s.syncRuns.latestFinished('COURSE', ['SUCCEEDED']),
      pushedDown: ['kind'],
    },
    // The sync health that the worker and the API read at every scrape of /metrics (readSyncHealth), beside
    // syncStatus' reads above: each scrape of each process pays for them.
    {
      name: 'stale OPEN courses, counted',
      call: (s) => s.courses.countStale(now),
      pushedDown: ['state', 'deleted'],
    },
    {
      name: 'held course deletions',
      call: (s) => s.syncErrors.heldCourseDeletions(),
      pushedDown: ['scope'],
    },
  ];

  it.each(hotQueries.map((query) => [query.name, query] as const))(
    '%s: its filter reaches PostgreSQL and a GIN index serves it',
    async (_name, query) => {
      expect(database.traits.equalityOnly).toBe(true);
      captured = [];
      await query.call(stores);
      const filters = captured.flatMap(filtersOf);
      expect(filters.length).toBeGreaterThan(0);

      for (const { collection, filter, kind } of filters) {
        const command =
          kind === 'find'
            ? { find: collection, filter }
            : { aggregate: collection, pipeline: [{ $match: filter }], cursor: {} };
        const explained = await database.db.command({ explain: command });
        expect({ collection, filter, filterPushdown: explained.filterPushdown as boolean }).toEqual({
          collection,
          filter,
          filterPushdown: true,
        });

        // The plan names the table and the conditions of its WHERE clause.
        const plan = planStrings(explained.queryPlanner);
        const table = (explained.queryPlanner as { Plan?: { 'Relation Name'?: string } }).Plan?.['Relation Name'];
        const conditions = new Map(
          [...plan.matchAll(/\((?:\w+\.)?_jsonb -> '([^']+)'::text\) @> ('(?:[^']|'')*'::jsonb)/g)].map((match) => [
            match[1]!,
            match[2]!,
          ]),
        );
        expect({ collection, filter, pushed: [...conditions.keys()].sort() }).toEqual({
          collection,
          filter,
          pushed: expect.arrayContaining(query.pushedDown),
        });
        // With sequential scans priced out, PostgreSQL answers each selective condition from a GIN twin, if there
        // is one (a 2-row table would be scanned otherwise). Other pushed-down fields (e.g. `code` beside `scope`)
        // are checked on the rows the index finds.
        for (const field of query.pushedDown) {
          const where = `(_jsonb -> '${field}') @> ${conditions.get(field)}`;
          const answer = await sql(
            'SET enable_seqscan = off; ' +
              `EXPLAIN SELECT _jsonb FROM "${database.db.databaseName}"."${table}" WHERE ${where}`,
          );
          expect({ table, where, gin: /Index Scan on \S+_gin_/.test(answer) }).toEqual({ table, where, gin: true });
        }
      }
    },
  );
});

describe('courses among many ids', () => {
  let database: Database;
  let stores: Stores;

  beforeAll(async () => {
    ({ database, stores } = await openTestStores());
  });

  afterAll(async () => {
    await database?.close();
  });

  it('are split into live and deleted the same way however many are asked about', async () => {
    const ids = Array.from({ length: 300 }, (_, index) => 1000 + index);
    await createCourses(stores, ids);
    const deleted = ids.filter((id) => id % 7 === 0);
    await stores.courses.markDeleted(deleted, now);
    const unknown = [1, 2, 99_999];

    // Past the embedded store's whole-read threshold, and below it.
    const many = await stores.courses.partitionDeleted([...unknown, ...ids].reverse());
    expect(many).toEqual({ live: ids.filter((id) => id % 7 !== 0), deleted });
    const few = await stores.courses.partitionDeleted([...unknown, 1008, 1009]);
    expect(few).toEqual({ live: [1009], deleted: [1008] });
  });
});
