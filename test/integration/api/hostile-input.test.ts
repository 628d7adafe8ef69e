import { Readable } from 'node:stream';
import {
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { createApp, createSchemaForApi } from '../../../src/api/app';
import { generateApiKey, hashApiKey } from '../../../src/api/auth';
import { encodeCursor, type CursorList } from '../../../src/api/cursors';
import { MAX_COURSE_IDS, MAX_TEXT_LENGTH } from '../../../src/api/ids';
import { MUTATION_RATE_LIMIT, type MutationRateLimit } from '../../../src/api/rate-limit';
import { MAX_REQUEST_BODY_BYTES } from '../../../src/api/request-body';
import { startApiServer, type ApiServer } from '../../../src/api/server';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { demoSite } from '../../../src/moodle-sim';
import { temporalSyncLauncher, type SyncLauncher } from '../../../src/temporal/launcher';
import { snapshotDatabase } from '../../support/database-snapshot';
import { errorCodes } from '../../support/graphql';
import { exchange, type Exchange, type ExchangeOptions } from '../../support/http-exchange';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness';

/**
 * Hostile input to every argument of every field of the schema, and hostile
 * HTTP requests, sent over real HTTP to the API on the real store, Temporal and
 * the simulated Moodle. Each is refused with a 4xx and a typed code, quickly,
 * and leaves every collection of the database as it was and no workflow started.
 */
const TOKEN = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0';
const ADMIN_KEY = generateApiKey();
const SECOND_ADMIN_KEY = generateApiKey();
const READER_KEY = generateApiKey();
const API_KEYS = [
  { role: 'admin' as const, sha256: hashApiKey(ADMIN_KEY) },
  { role: 'admin' as const, sha256: hashApiKey(SECOND_ADMIN_KEY) },
  { role: 'reader' as const, sha256: hashApiKey(READER_KEY) },
];
/** A refusal takes milliseconds; this bounds each request so that a hang fails instead of stalling. */
const REQUEST_BOUND_MS = 5_000;
/** The hostile calls are counted like any others; here they are judged by what each does, not how many come. */
const UNLIMITED: MutationRateLimit = { max: 1_000_000, windowSeconds: 60 };

const SCHEMA = createSchemaForApi();

interface ArgumentSite {
  /** `Type.field.argument` */
  coordinate: string;
  parent: GraphQLObjectType;
  field: GraphQLField<unknown, unknown>;
  argument: GraphQLArgument;
}

/** Every argument of every field of every object type: a new argument is tested without anyone listing it. */
const ARGUMENTS: ArgumentSite[] = Object.values(SCHEMA.getTypeMap())
  .filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'))
  .flatMap((parent) =>
    Object.values(parent.getFields()).flatMap((field) =>
      field.args.map((argument) => ({
        coordinate: `${parent.name}.${field.name}.${argument.name}`,
        parent,
        field,
        argument,
      })),
    ),
  );

/** What an ID, String or Int argument means; their GraphQL type alone does not say which values are wrong. */
type Meaning = 'courseId' | 'recordId' | 'cursor' | 'pageSize' | 'search' | 'moodleLookup' | 'moodleUserId';

const MEANINGS: Record<string, Meaning> = {
  'Query.courses.search': 'search',
  'Query.courses.first': 'pageSize',
  'Query.courses.after': 'cursor',
  'Query.course.id': 'courseId',
  'Query.enrollments.courseId': 'courseId',
  'Query.enrollments.studentId': 'recordId',
  'Query.enrollments.first': 'pageSize',
  'Query.enrollments.after': 'cursor',
  'Query.enrollment.id': 'recordId',
  'Query.students.search': 'search',
  'Query.students.first': 'pageSize',
  'Query.students.after': 'cursor',
  'Query.student.id': 'recordId',
  'Query.syncErrors.courseId': 'courseId',
  'Query.syncErrors.first': 'pageSize',
  'Query.syncErrors.after': 'cursor',
  'Query.syncRuns.first': 'pageSize',
  'Query.syncRuns.after': 'cursor',
  'Query.staleCourses.first': 'pageSize',
  'Query.staleCourses.after': 'cursor',
  'Mutation.setCourseState.courseId': 'courseId',
  'Mutation.createStudent.moodleUserId': 'moodleUserId',
  'Mutation.createStudent.email': 'moodleLookup',
  'Mutation.createStudent.idNumber': 'moodleLookup',
  'Mutation.createEnrollment.courseId': 'courseId',
  'Mutation.createEnrollment.studentId': 'recordId',
  'Mutation.triggerEnrollmentSync.courseIds': 'courseId',
  'Mutation.confirmCourseDeletions.courseIds': 'courseId',
  'Course.enrollments.first': 'pageSize',
  'Course.enrollments.after': 'cursor',
  'Student.enrollments.first': 'pageSize',
  'Student.enrollments.after': 'cursor',
};

const NEEDS_MEANING = new Set(['ID', 'String', 'Int']);

/** The list a connection's cursors belong to, by the connection's type. */
const CURSOR_LISTS: Record<string, CursorList> = {
  CourseConnection: 'courses',
  StudentConnection: 'students',
  EnrollmentConnection: 'enrollments',
  SyncErrorConnection: 'syncErrors',
  SyncRunConnection: 'syncRuns',
};

/** Fields whose connection pages a list of its own, not its type's. */
const CURSOR_LIST_OF_FIELD: Record<string, CursorList> = { 'Query.staleCourses': 'staleCourses' };

/** What the database holds once seeded: the ids and one real cursor of each list. */
interface World {
  students: Record<'alice' | 'bongani', string>;
  cursors: Record<CursorList, string>;
}

/** Values for the required arguments beside the hostile one; each is chosen so that a slip would change data. */
const REQUIRED: Record<string, (world: World) => string> = {
  'Mutation.setCourseState.courseId': () => '"103"',
  'Mutation.setCourseState.state': () => 'CLOSED',
  'Mutation.createEnrollment.courseId': () => '"103"',
  'Mutation.createEnrollment.studentId': (world) => `"${world.students.bongani}"`,
};

/** How a field of a type other than Query and Mutation is reached. */
const REACH: Record<string, (call: string, world: World) => string> = {
  Course: (call) => `course(id: "101") { ${call} }`,
  Student: (call, world) => `student(id: "${world.students.alice}") { ${call} }`,
};

type Expectation =
  | { kind: 'refused'; codes: readonly string[]; status?: number }
  /** Free text taken as text: answered, and matching nothing. */
  | { kind: 'text' };

interface Case {
  label: string;
  value: unknown;
  expect: Expectation;
}

const INPUT_REFUSAL: Expectation = { kind: 'refused', codes: ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'] };
const TOO_LARGE: Expectation = { kind: 'refused', codes: ['REQUEST_ENTITY_TOO_LARGE'], status: 413 };

/** Strings shaped like MongoDB operators and injections, as a client could put them in any string. */
const OPERATOR_TEXT = [
  '{"$gt": ""}',
  '{"$ne": null}',
  '$where',
  '{"$where": "sleep(5000) || true"}',
  '.*',
  "' || '1'=='1",
];
/** The same as JSON values, where a string or number is expected. */
const OPERATOR_OBJECTS = [{ $gt: '' }, { $ne: null }, { $where: 'sleep(5000) || true' }, { $regex: '.*' }];

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function cases(label: string, values: readonly unknown[], expectation: Expectation): Case[] {
  return values.map((value) => ({
    label: `${label} ${JSON.stringify(value).slice(0, 60)}`,
    value,
    expect: expectation,
  }));
}

/** What every argument must refuse, whatever its type. */
function commonCases(): Case[] {
  return [
    ...cases('operator object', OPERATOR_OBJECTS, INPUT_REFUSAL),
    { label: 'a 1 MiB string', value: 'x'.repeat(MAX_REQUEST_BODY_BYTES), expect: TOO_LARGE },
    { label: 'a 512 KiB string', value: 'x'.repeat(MAX_REQUEST_BODY_BYTES / 2), expect: INPUT_REFUSAL },
  ];
}

function cursorCases(list: CursorList, world: World): Case[] {
  const own = world.cursors[list];
  const foreign = (Object.entries(world.cursors) as [CursorList, string][]).filter(([other]) => other !== list);
  return [
    ...cases('operator text', OPERATOR_TEXT, INPUT_REFUSAL),
    ...cases('garbage', ['garbage', '', '!!!', base64url('{"$gt": ""}'), base64url('c1:101'), 1.5], INPUT_REFUSAL),
    ...cases(
      'forged',
      ['', '{"$gt": ""}', '$where'].map((id) => encodeCursor(list, id)),
      INPUT_REFUSAL,
    ),
    ...foreign.map(([other, cursor]) => ({ label: `a cursor of ${other}`, value: cursor, expect: INPUT_REFUSAL })),
    ...cases('tampered', [`B${own.slice(1)}`, `${own}!!`, `${own}=`], INPUT_REFUSAL),
  ];
}

function casesFor(site: ArgumentSite, world: World): Case[] {
  const named = getNamedType(site.argument.type);
  const meaning = MEANINGS[site.coordinate];
  const specific = ((): Case[] => {
    switch (meaning) {
      case 'courseId':
        return [
          ...cases('operator text', OPERATOR_TEXT, INPUT_REFUSAL),
          ...cases(
            'not a course id',
            ['0123456789abcdef01234567', '-1', '1.5', '1e3', '', ' 101', '0x65'],
            INPUT_REFUSAL,
          ),
          ...cases('not a course id', ['9'.repeat(20), 'Infinity', -1, 1.5, 1e20, true], INPUT_REFUSAL),
        ];
      case 'recordId':
        return [
          ...cases('operator text', OPERATOR_TEXT, INPUT_REFUSAL),
          ...cases(
            'not a record id',
            ['101', 101, '-1', '', '0123456789abcdef012345678', 'z'.repeat(24)],
            INPUT_REFUSAL,
          ),
          ...cases('not a record id', [`${world.students.alice} `, -1, 1.5], INPUT_REFUSAL),
        ];
      case 'cursor':
        return cursorCases(
          CURSOR_LIST_OF_FIELD[`${site.parent.name}.${site.field.name}`] ??
            CURSOR_LISTS[getNamedType(site.field.type).name]!,
          world,
        );
      case 'pageSize':
        return cases('page size', [0, -1, 101, 2147483647, -2147483648, 2147483648, 1.5, '10', 1e20], INPUT_REFUSAL);
      case 'search':
        return [
          ...cases('operator text', OPERATOR_TEXT, { kind: 'text' }),
          ...cases('too long', ['x'.repeat(MAX_TEXT_LENGTH + 1)], INPUT_REFUSAL),
          ...cases('not text', [42], INPUT_REFUSAL),
        ];
      case 'moodleLookup':
        return [
          ...cases('operator text', OPERATOR_TEXT, { kind: 'refused', codes: ['MOODLE_USER_NOT_FOUND'] }),
          ...cases('not a lookup', [' ', 'x'.repeat(MAX_TEXT_LENGTH + 1), 42], INPUT_REFUSAL),
        ];
      case 'moodleUserId':
        return cases('not a Moodle user id', [-1, 0, 2147483648, 1.5, '2004', 1e20, true], INPUT_REFUSAL);
      case undefined:
        if (named.name === 'Boolean') return cases('not a boolean', ['true', 1, 0, '$where'], INPUT_REFUSAL);
        if (named.name === 'DateTime') {
          return cases(
            'not a date-time',
            [...OPERATOR_TEXT, '2026-13-45T00:00:00Z', 'yesterday', '', '2026-01-01', 1e12],
            INPUT_REFUSAL,
          );
        }
        if (isEnumType(named))
          return cases('not a value', ['$where', '{"$ne": null}', 'open', 'DELETED', '', 0], INPUT_REFUSAL);
    }
    throw new Error(`${site.coordinate} (${named.name}): say what it means in MEANINGS, or how to attack its type`);
  })();
  const all = [...specific, ...commonCases()];
  const list = isListType(isNonNullType(site.argument.type) ? site.argument.type.ofType : site.argument.type);
  if (!list) return all;
  return [
    ...all.map((one) => ({ ...one, label: `[${one.label}]`, value: [one.value] })),
    { label: '[null]', value: [null], expect: INPUT_REFUSAL },
    ...(meaning === 'courseId'
      ? [
          {
            label: `${MAX_COURSE_IDS + 1} course ids`,
            value: Array.from({ length: MAX_COURSE_IDS + 1 }, (_, index) => String(1_000_000 + index)),
            expect: INPUT_REFUSAL,
          },
        ]
      : []),
  ];
}

function selectionOf(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (!isObjectType(named)) return '';
  return 'totalCount' in named.getFields() ? ' { totalCount }' : ' { __typename }';
}

/** The operation that passes `value` (a variable, or a literal when given) to the site's argument. */
function operationFor(site: ArgumentSite, world: World, literal?: string): string {
  const operation = site.parent === SCHEMA.getMutationType() ? 'mutation' : 'query';
  const others = site.field.args
    .filter((argument) => argument !== site.argument && isNonNullType(argument.type))
    .map((argument) => {
      const coordinate = `${site.parent.name}.${site.field.name}.${argument.name}`;
      const value = REQUIRED[coordinate];
      if (value === undefined) throw new Error(`${coordinate} is required: give it a value in REQUIRED`);
      return `${argument.name}: ${value(world)}`;
    });
  const argumentList = [`${site.argument.name}: ${literal ?? '$value'}`, ...others].join(', ');
  const call = `${site.field.name}(${argumentList})${selectionOf(site.field)}`;
  const isRoot = site.parent === SCHEMA.getQueryType() || site.parent === SCHEMA.getMutationType();
  const reach = REACH[site.parent.name];
  if (!isRoot && reach === undefined) throw new Error(`${site.parent.name}: say in REACH how a query gets to it`);
  const variables = literal === undefined ? `($value: ${String(site.argument.type)})` : '';
  return `${operation}${variables} { ${isRoot ? call : reach!(call, world)} }`;
}

/** What is wrong with an answer, or null. */
function problemWith(answer: Exchange, expectation: Expectation, field: string): string | null {
  const codes = errorCodes(answer);
  const seen = `${answer.status} ${JSON.stringify(codes)} in ${Math.round(answer.ms)} ms: ${answer.text.slice(0, 200)}`;
  if (answer.ms >= REQUEST_BOUND_MS) return `too slow: ${seen}`;
  if (/Unexpected error|Mongo|node_modules|\bat \w+ \(/i.test(answer.text)) return `internals: ${seen}`;
  if (expectation.kind === 'text') {
    const found = (answer.body.data?.[field] as { totalCount?: number } | undefined)?.totalCount;
    return answer.status === 200 && codes.length === 0 && found === 0 ? null : `not answered as text: ${seen}`;
  }
  const statusOk =
    expectation.status === undefined
      ? answer.status >= 400 && answer.status < 500
      : answer.status === expectation.status;
  const codesOk = codes.length > 0 && codes.every((code) => expectation.codes.includes(code as string));
  return statusOk && codesOk ? null : `expected ${expectation.status ?? '4xx'} ${expectation.codes.join('|')}: ${seen}`;
}

describe('hostile input to the GraphQL API over HTTP, on the real store', () => {
  let harness: SyncHarness;
  let api: ApiServer;
  const starts: string[] = [];
  const world: World = {
    students: { alice: '', bongani: '' },
    cursors: { courses: '', students: '', enrollments: '', syncErrors: '', syncRuns: '', staleCourses: '' },
  };

  const post = (server: ApiServer, body: unknown, key = ADMIN_KEY) =>
    exchange(`${server.url}/graphql`, {
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: REQUEST_BOUND_MS,
    });
  const data = async (query: string, variables: Record<string, unknown> = {}) => {
    const answer = await post(api, { query, variables });
    if (answer.status !== 200 || answer.body.errors) throw new Error(`unexpected answer: ${answer.text}`);
    return answer.body.data!;
  };
  const snapshot = () => snapshotDatabase(harness.database.db);

  /** The API over the harness's store, Temporal and Moodle; every sync it would start is noted in `starts`. */
  async function startApi(mutationRateLimit: MutationRateLimit): Promise<ApiServer> {
    const launcher = temporalSyncLauncher(
      harness.temporal.client,
      { temporal: { taskQueue: harness.temporal.taskQueue }, sync: loadConfig({}).sync },
      () => new Date(),
    );
    const noting: SyncLauncher = {
      startCourseSync: (trigger) => {
        starts.push('course sync');
        return launcher.startCourseSync(trigger);
      },
      startEnrollmentSync: (trigger, ids) => {
        starts.push('enrollment sync');
        return launcher.startEnrollmentSync(trigger, ids);
      },
      refreshOnMoodleEvent: (target, eventName) => {
        starts.push('refresh');
        return launcher.refreshOnMoodleEvent(target, eventName);
      },
    };
    const app = createApp({
      stores: harness.stores,
      moodle: harness.moodle,
      syncs: noting,
      now: () => new Date(),
      syncIntervals: loadConfig({}).sync,
      apiKeys: API_KEYS,
      graphiql: false,
      logger: createLogger('silent'),
      mutationRateLimit,
    });
    return startApiServer(app, { host: '127.0.0.1', port: 0, isReady: async () => true });
  }

  beforeAll(async () => {
    harness = await startSyncHarness({ site: demoSite(), token: TOKEN });
    api = await startApi(UNLIMITED);
    await harness.runCourseSync();
    for (const [id, state] of [
      [101, 'OPEN'],
      [103, 'OPEN'],
      [102, 'CLOSED'],
    ] as const) {
      await harness.stores.courses.setState(id, state, new Date());
    }
    const create = async (args: string) =>
      ((await data(`mutation { createStudent(${args}) { id } }`)).createStudent as { id: string }).id;
    world.students.alice = await create('idNumber: "S1001"');
    world.students.bongani = await create('idNumber: "S1002"');
    // Alice has no row in course 103's gradebook: the sync records an open error, so every list has a row.
    for (const [course, student] of [
      ['101', world.students.alice],
      ['101', world.students.bongani],
      ['103', world.students.alice],
    ]) {
      await data('mutation($c: ID!, $s: ID!) { createEnrollment(courseId: $c, studentId: $s) { id } }', {
        c: course,
        s: student,
      });
    }
    await harness.runEnrollmentSync();
    // Course 101's grades as if last synced long ago, so that the stale-course list has a row too.
    await harness.stores.courses.recordEnrollmentSync(101, undefined, new Date('2020-01-01T00:00:00Z'));
    for (const [list, field] of Object.entries({
      courses: 'courses',
      students: 'students',
      enrollments: 'enrollments',
      syncErrors: 'syncErrors',
      syncRuns: 'syncRuns',
      staleCourses: 'staleCourses',
    }) as [CursorList, string][]) {
      const page = (await data(`{ ${field}(first: 1) { pageInfo { endCursor } } }`))[field] as {
        pageInfo: { endCursor: string | null };
      };
      if (page.pageInfo.endCursor === null) throw new Error(`the seeded database has no ${field}`);
      world.cursors[list] = page.pageInfo.endCursor;
    }
  });

  afterAll(async () => {
    await api?.close();
    await harness?.close();
  });

  it('knows what every ID, String and Int argument of the schema means, and nothing more', () => {
    const needing = ARGUMENTS.filter((site) => NEEDS_MEANING.has(getNamedType(site.argument.type).name));
    expect(needing.map((site) => site.coordinate).sort()).toEqual(Object.keys(MEANINGS).sort());
    expect(ARGUMENTS.length).toBeGreaterThan(Object.keys(MEANINGS).length);
  });

  describe.each(ARGUMENTS.map((site) => [site.coordinate, site] as const))('%s', (_coordinate, site) => {
    it('refuses hostile values with a 4xx and a typed code, quickly, and changes nothing', async () => {
      const before = await snapshot();
      const problems: string[] = [];
      for (const one of casesFor(site, world)) {
        const answer = await post(api, { query: operationFor(site, world), variables: { value: one.value } });
        const problem = problemWith(answer, one.expect, site.field.name);
        if (problem !== null) problems.push(`${one.label}: ${problem}`);
      }
      const literal = await post(api, { query: operationFor(site, world, '{ _gt: "" }') });
      const problem = problemWith(literal, INPUT_REFUSAL, site.field.name);
      if (problem !== null) problems.push(`an input-object literal: ${problem}`);
      expect(problems).toEqual([]);
      expect(await snapshot()).toEqual(before);
      expect(starts).toEqual([]);
    });
  });

  describe('hostile requests', () => {
    /** Would close course 103 if it ran. */
    const MUTATION = 'mutation { setCourseState(courseId: "103", state: CLOSED) { state } }';
    const json = (body: unknown) => JSON.stringify(body);
    const utf8 = (...parts: (string | number[])[]) =>
      Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));
    const withPadding = (bytes: number) => json({ query: MUTATION, variables: { padding: 'x'.repeat(bytes) } });
    async function* inChunks(text: string) {
      for (let start = 0; start < text.length; start += 64 * 1024)
        yield Buffer.from(text.slice(start, start + 64 * 1024));
    }
    /** The mutation, with `bytes` inside a string of its variables. */
    const withBytes = (bytes: number[]) =>
      utf8(`{"query": ${JSON.stringify(MUTATION)}, "variables": {"x": "`, bytes, '"}}');

    const unsupported = (type: string | undefined, body: string) => ({
      name: `content type ${type ?? '(none)'}`,
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      send: (): ExchangeOptions => ({ headers: type === undefined ? {} : { 'content-type': type }, body }),
    });
    const requests: { name: string; status: number; code: string; send: () => ExchangeOptions }[] = [
      { name: 'a 5 MB body', status: 413, code: 'REQUEST_ENTITY_TOO_LARGE', send: () => ({ body: withPadding(5e6) }) },
      {
        name: 'a 5 MB body in chunks, without its length',
        status: 413,
        code: 'REQUEST_ENTITY_TOO_LARGE',
        send: () => ({ body: Readable.from(inChunks(withPadding(5e6))) }),
      },
      {
        name: 'a batch (a JSON array)',
        status: 400,
        code: 'BAD_REQUEST',
        send: () => ({ body: json([{ query: MUTATION }, { query: MUTATION }]) }),
      },
      {
        name: 'invalid UTF-8 bytes',
        status: 400,
        code: 'BAD_REQUEST',
        send: () => ({ body: withBytes([0xff, 0xfe]) }),
      },
      {
        name: 'an overlong UTF-8 sequence',
        status: 400,
        code: 'BAD_REQUEST',
        send: () => ({ body: withBytes([0xc0, 0xaf]) }),
      },
      {
        name: 'malformed JSON',
        status: 400,
        code: 'BAD_REQUEST',
        send: () => ({ body: json({ query: MUTATION }).slice(0, -1) }),
      },
      { name: 'JSON null', status: 400, code: 'BAD_REQUEST', send: () => ({ body: 'null' }) },
      {
        name: 'variables as a string',
        status: 400,
        code: 'BAD_REQUEST',
        send: () => ({ body: json({ query: MUTATION, variables: '{}' }) }),
      },
      {
        name: 'a query that is not a string',
        status: 400,
        code: 'BAD_REQUEST',
        send: () => ({ body: json({ query: { $ne: null } }) }),
      },
      unsupported('text/plain', json({ query: MUTATION })),
      unsupported('application/x-www-form-urlencoded', `query=${encodeURIComponent(MUTATION)}`),
      unsupported(
        'multipart/form-data; boundary=X',
        `--X\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${json({ query: MUTATION })}\r\n--X--\r\n`,
      ),
      unsupported('application/graphql', MUTATION),
      unsupported('application/json; charset=latin1', json({ query: MUTATION })),
      unsupported(undefined, json({ query: MUTATION })),
    ];

    it.each(requests)('refuses $name: $status $code, and changes nothing', async ({ status, code, send }) => {
      const before = await snapshot();
      const given = send();
      const answer = await exchange(`${api.url}/graphql`, {
        ...given,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          accept: 'application/json',
          ...(given.headers ?? { 'content-type': 'application/json' }),
        },
        timeoutMs: REQUEST_BOUND_MS,
      });
      expect({ status: answer.status, codes: errorCodes(answer) }).toEqual({ status, codes: [code] });
      expect(answer.ms).toBeLessThan(REQUEST_BOUND_MS);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses a mutation sent with GET: 405 BAD_REQUEST, and changes nothing', async () => {
      const before = await snapshot();
      const answer = await exchange(`${api.url}/graphql?query=${encodeURIComponent(MUTATION)}`, {
        method: 'GET',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, accept: 'application/json' },
        timeoutMs: REQUEST_BOUND_MS,
      });
      expect({ status: answer.status, codes: errorCodes(answer), allow: answer.headers.allow }).toEqual({
        status: 405,
        codes: ['BAD_REQUEST'],
        allow: 'POST',
      });
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('the mutation rate limit', () => {
    const { max } = MUTATION_RATE_LIMIT;
    it(`lets a key make ${max} mutations a window, then answers 429 RATE_LIMITED; reads, others go on`, async () => {
      const limited = await startApi(MUTATION_RATE_LIMIT);
      try {
        // Course 101 is OPEN already: these change no state.
        const unchanged = { query: 'mutation { setCourseState(courseId: "101", state: OPEN) { state } }' };
        for (let count = 0; count < MUTATION_RATE_LIMIT.max; count += 1) {
          const answer = await post(limited, unchanged);
          expect({ count, status: answer.status, codes: errorCodes(answer) }).toEqual({
            count,
            status: 200,
            codes: [],
          });
        }
        const before = await snapshot();
        const over = await post(limited, {
          query: 'mutation { setCourseState(courseId: "101", state: CLOSED) { state } }',
        });
        expect({
          status: over.status,
          retryAfter: over.headers['retry-after'],
          errors: over.body.errors,
          data: over.body.data,
        }).toEqual({
          status: 429,
          retryAfter: String(MUTATION_RATE_LIMIT.windowSeconds),
          errors: [
            {
              message:
                `Too many changes: an API key may make ${MUTATION_RATE_LIMIT.max} mutations in ` +
                `${MUTATION_RATE_LIMIT.windowSeconds} seconds. Try again shortly.`,
              extensions: { code: 'RATE_LIMITED' },
            },
          ],
          data: undefined,
        });
        expect(await snapshot()).toEqual(before);

        for (const [who, key, body] of [
          ['the same key, reading', ADMIN_KEY, { query: '{ course(id: "101") { state } }' }],
          ['another admin key', SECOND_ADMIN_KEY, unchanged],
          ['a reader, reading', READER_KEY, { query: '{ courses { totalCount } }' }],
        ] as const) {
          const answer = await post(limited, body, key);
          expect({ who, status: answer.status, codes: errorCodes(answer) }).toEqual({ who, status: 200, codes: [] });
        }
      } finally {
        await limited.close();
      }
    });
  });

  it('changes the database when the same mutation arrives well-formed (the checks above would see it)', async () => {
    const before = await snapshot();
    expect(await data('mutation { setCourseState(courseId: "103", state: CLOSED) { state } }')).toEqual({
      setCourseState: { state: 'CLOSED' },
    });
    expect(await snapshot()).not.toEqual(before);
  });
});
