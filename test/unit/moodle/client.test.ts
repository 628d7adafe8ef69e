import { DEFAULT_MOODLE_CLIENT_SETTINGS } from '../../support/moodle-defaults';
import { inspect } from 'node:util';
import {
  createMoodleClient,
  isMoodleError,
  REQUIRED_FUNCTIONS,
  type MoodleClient,
  type MoodleClientOptions,
  type MoodleError,
  type MoodleErrorKind,
} from '../../../src/moodle';
import { MAX_RESPONSE_BYTES } from '../../../src/moodle/limits';
import type { UserGrades } from '../../../src/domain/moodle-data';
import { Secret } from '../../../src/secret';
import { exampleJson, exampleText } from './support/examples';
import {
  closedPortUrl,
  exampleReply,
  jsonReply,
  SITE_PATH,
  startFakeMoodleServer,
  type FakeMoodleServer,
  type Reply,
} from './support/fake-moodle-server';

const TOKEN = '5f4dcc3b5aa765d61d8327deb882cf99';
const ENDPOINT = `${SITE_PATH}/webservice/rest/server.php`;

let server: FakeMoodleServer;
let client: MoodleClient;

beforeEach(async () => {
  server = await startFakeMoodleServer();
  client = createMoodleClient({
    ...DEFAULT_MOODLE_CLIENT_SETTINGS,
    url: server.url,
    token: new Secret(TOKEN),
    timeoutMs: 2_000,
  });
});

afterEach(async () => {
  await client.close();
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<MoodleError> {
  try {
    await promise;
  } catch (error) {
    if (isMoodleError(error)) return error;
    throw new Error(`expected a MoodleError, got ${inspect(error)}`);
  }
  throw new Error('expected the call to fail');
}

describe('request encoding', () => {
  it('POSTs a bracket-encoded form with the token in the body only', async () => {
    server.respond(() => exampleReply('get_contents.json'));
    const sections = await client.getCourseContents(101);

    expect(sections).toHaveLength(4);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`${ENDPOINT}?moodlewsrestformat=json&wsfunction=core_course_get_contents`);
    expect(request?.url).not.toContain(TOKEN);
    expect(request?.contentType).toBe('application/x-www-form-urlencoded');
    expect(request?.form).toEqual({
      wstoken: TOKEN,
      courseid: '101',
      'options[0][name]': 'excludecontents',
      'options[0][value]': '1',
      'options[1][name]': 'includestealthmodules',
      'options[1][value]': '1',
    });
    expect(request?.rawBody).toContain('options%5B0%5D%5Bname%5D=excludecontents');
  });

  it('asks the grade report for all users unless a user is named', async () => {
    server.respond(() => exampleReply('grade_items.json'));
    const report = await client.getGradeItems(101);
    await client.getGradeItems(101, 2001);

    expect(report.map((user) => user.userId)).toEqual([2001, 2002]);
    expect(server.requests.map((request) => [request.wsfunction, request.form])).toEqual([
      ['gradereport_user_get_grade_items', { wstoken: TOKEN, courseid: '101', userid: '0' }],
      ['gradereport_user_get_grade_items', { wstoken: TOKEN, courseid: '101', userid: '2001' }],
    ]);
  });

  it('lists courses and enrolled users', async () => {
    server.respond((request) =>
      exampleReply(request.wsfunction === 'core_course_get_courses' ? 'get_courses.json' : 'enrolled_users.json'),
    );
    const courses = await client.getCourses();
    const users = await client.getEnrolledUsers(101);

    expect(courses.find((course) => course.id === 1)?.format).toBe('site');
    expect(users.map((user) => user.idNumber)).toEqual(['T0042', 'S1001', 'S1002']);
    expect(server.requests.map((request) => request.form)).toEqual([
      { wstoken: TOKEN },
      { wstoken: TOKEN, courseid: '101' },
    ]);
  });

  it('looks users up in batches of at most 100 values, keeping the order', async () => {
    const values = Array.from({ length: 250 }, (_, index) => `S${index}`);
    server.respond((request) => {
      const batch = Object.entries(request.form).filter(([key]) => key.startsWith('values['));
      return jsonReply(batch.map(([, value], index) => ({ id: Number(value.slice(1)), fullname: `${index}` })));
    });
    const users = await client.getUsersByField('idnumber', values);

    expect(users.map((user) => user.id)).toEqual(values.map((_, index) => index));
    const batches = server.requests.map((request) =>
      Object.keys(request.form).filter((key) => key.startsWith('values[')),
    );
    expect(batches.map((keys) => keys.length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
    for (const request of server.requests) {
      expect(request.wsfunction).toBe('core_user_get_users_by_field');
      expect(request.form.field).toBe('idnumber');
      expect(request.form['values[0]']).toBeDefined();
    }
  });

  it('makes no call for an empty lookup', async () => {
    await expect(client.getUsersByField('username', [])).resolves.toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});

describe('preflight', () => {
  const siteInfo = exampleJson('site_info.json') as { functions: { name: string }[] };

  it('returns site info when every required function is allowed', async () => {
    server.respond(() => jsonReply(siteInfo));
    const info = await client.preflight();
    expect(info.siteId).toBe(1);
    expect(server.requests.map((request) => request.wsfunction)).toEqual(['core_webservice_get_site_info']);
  });

  it('names every missing function in one error', async () => {
    const missing = ['gradereport_user_get_grade_items', 'core_user_get_users_by_field'];
    server.respond(() =>
      jsonReply({ ...siteInfo, functions: siteInfo.functions.filter((fn) => !missing.includes(fn.name)) }),
    );
    const error = await failure(client.preflight());

    expect(error).toMatchObject({
      kind: 'function-not-allowed',
      permissionProblem: true,
      retryable: false,
      missingFunctions: missing,
    });
    expect(error.message).toBe(
      "the token's service does not allow `gradereport_user_get_grade_items`, `core_user_get_users_by_field`: " +
        'add them to the external service (Site administration > Server > Web services > External services)',
    );
  });

  it('checks a caller-chosen list', async () => {
    server.respond(() => jsonReply(siteInfo));
    const error = await failure(client.preflight([...REQUIRED_FUNCTIONS, 'core_course_get_categories']));
    expect(error.missingFunctions).toEqual(['core_course_get_categories']);
    expect(error.message).toContain('add it to the external service');
  });
});

interface FailureCase {
  name: string;
  reply: Reply;
  kind: MoodleErrorKind;
  retryable: boolean;
  permissionProblem: boolean;
}

const html = (title: string) => `<!DOCTYPE html><html><head><title>${title}</title></head><body>${title}</body></html>`;
const moodleError = (errorcode: string, message: string, debuginfo?: string) =>
  jsonReply({ exception: 'core\\exception\\moodle_exception', errorcode, message, debuginfo });

const FAILURES: FailureCase[] = [
  {
    name: 'invalid token',
    reply: exampleReply('error_invalidtoken.json'),
    kind: 'invalid-token',
    retryable: false,
    permissionProblem: true,
  },
  {
    name: 'function not in service',
    reply: exampleReply('error_accessexception.json'),
    kind: 'function-not-allowed',
    retryable: false,
    permissionProblem: true,
  },
  {
    name: 'unknown function',
    reply: exampleReply('error_invalidrecord_unknown_function.json'),
    kind: 'function-unknown',
    retryable: false,
    permissionProblem: true,
  },
  {
    name: 'course deleted',
    reply: exampleReply('error_invalidrecord_course.json'),
    kind: 'course-not-found',
    retryable: false,
    permissionProblem: false,
  },
  {
    name: 'no course access',
    reply: exampleReply('error_requireloginerror.json'),
    kind: 'course-inaccessible',
    retryable: false,
    permissionProblem: true,
  },
  {
    name: 'no grade rights',
    reply: exampleReply('error_nopermissiontoviewgrades.json'),
    kind: 'missing-capability',
    retryable: false,
    permissionProblem: true,
  },
  {
    name: 'maintenance',
    reply: exampleReply('error_sitemaintenance.json'),
    kind: 'maintenance',
    retryable: true,
    permissionProblem: false,
  },
  {
    name: 'bad parameter',
    reply: exampleReply('error_invalidparameter.json'),
    kind: 'invalid-parameter',
    retryable: false,
    permissionProblem: false,
  },
  {
    name: 'suspended account',
    reply: moodleError('wsaccessusersuspended', 'Suspended'),
    kind: 'account-blocked',
    retryable: false,
    permissionProblem: true,
  },
  {
    name: 'database error',
    reply: moodleError('dmlreadexception', 'Error reading from database'),
    kind: 'server-error',
    retryable: true,
    permissionProblem: false,
  },
  { name: 'empty 200', reply: { body: '' }, kind: 'webservices-disabled', retryable: false, permissionProblem: true },
  {
    name: 'HTML 500',
    reply: { status: 500, body: html('Internal Server Error') },
    kind: 'server-error',
    retryable: true,
    permissionProblem: false,
  },
  {
    name: 'HTML 502',
    reply: { status: 502, body: html('502 Bad Gateway') },
    kind: 'server-error',
    retryable: true,
    permissionProblem: false,
  },
  {
    name: 'HTML 503',
    reply: { status: 503, body: html('503 Service Temporarily Unavailable') },
    kind: 'server-error',
    retryable: true,
    permissionProblem: false,
  },
  {
    name: "CLI maintenance mode's HTML 503",
    reply: { status: 503, headers: { 'retry-after': '300' }, body: html('Demo site under maintenance') },
    kind: 'maintenance',
    retryable: true,
    permissionProblem: false,
  },
  {
    name: 'redirect to the login page',
    reply: { status: 302, headers: { location: 'https://moodle.example.edu/login/index.php' } },
    kind: 'protocol',
    retryable: false,
    permissionProblem: false,
  },
  {
    name: '429',
    reply: { status: 429, headers: { 'retry-after': '7' } },
    kind: 'rate-limited',
    retryable: true,
    permissionProblem: false,
  },
  {
    name: 'HTML with 200',
    reply: { body: html('Log in to the site') },
    kind: 'protocol',
    retryable: true,
    permissionProblem: false,
  },
  {
    name: 'truncated JSON',
    reply: { body: JSON.stringify(exampleJson('grade_items.json')).slice(0, 700) },
    kind: 'protocol',
    retryable: true,
    permissionProblem: false,
  },
  {
    name: 'wrong shape',
    reply: jsonReply({ usergrades: [{ courseid: 'x' }] }),
    kind: 'protocol',
    retryable: false,
    permissionProblem: false,
  },
  {
    name: 'dropped before headers',
    reply: { drop: 'before-headers' },
    kind: 'unreachable',
    retryable: true,
    permissionProblem: false,
  },
  {
    name: 'dropped mid-body',
    reply: exampleReply('grade_items.json', { drop: 'mid-body' }),
    kind: 'unreachable',
    retryable: true,
    permissionProblem: false,
  },
];

describe('error classification over HTTP', () => {
  it.each(FAILURES)('$name → $kind', async ({ reply, kind, retryable, permissionProblem }) => {
    server.respond(() => reply);
    const error = await failure(client.getGradeItems(101));
    expect({ kind: error.kind, retryable: error.retryable, permissionProblem: error.permissionProblem }).toEqual({
      kind,
      retryable,
      permissionProblem,
    });
    expect(error.wsfunction).toBe('gradereport_user_get_grade_items');
    expect(error.cause).toBeUndefined();
  });

  it('passes Retry-After on', async () => {
    server.respond(() => ({ status: 429, headers: { 'retry-after': '7' } }));
    expect((await failure(client.getCourses())).retryAfterMs).toBe(7_000);
  });

  it('times out when the headers take longer than timeoutMs', async () => {
    const impatient = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: server.url,
      token: new Secret(TOKEN),
      timeoutMs: 150,
    });
    server.respond(() => exampleReply('get_courses.json', { delayMs: 3_000 }));
    try {
      const error = await failure(impatient.getCourses());
      expect(error).toMatchObject({ kind: 'timeout', retryable: true, permissionProblem: false });
      expect(error.message).toContain('did not finish answering `core_course_get_courses` within 0.15 s');
    } finally {
      await impatient.close();
    }
  });

  // undici checks header/body timeouts on a coarse (~0.5–1 s) clock, hence the generous margins.
  it('gives grade reports their own, longer timeout', async () => {
    const patientForGrades = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: server.url,
      token: new Secret(TOKEN),
      timeoutMs: 200,
      gradeTimeoutMs: 10_000,
    });
    server.respond((request) =>
      exampleReply(request.wsfunction === 'core_course_get_courses' ? 'get_courses.json' : 'grade_items.json', {
        delayMs: 2_000,
      }),
    );
    try {
      await expect(patientForGrades.getGradeItems(101)).resolves.toHaveLength(2);
      expect((await failure(patientForGrades.getCourses())).kind).toBe('timeout');
    } finally {
      await patientForGrades.close();
    }
  });

  it('reports a closed port as unreachable', async () => {
    const nowhere = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: await closedPortUrl(),
      token: new Secret(TOKEN),
    });
    try {
      const error = await failure(nowhere.getSiteInfo());
      expect(error).toMatchObject({ kind: 'unreachable', retryable: true, permissionProblem: false });
      expect(error.message).toContain('connection refused');
    } finally {
      await nowhere.close();
    }
  });
});

describe('limits on one answer', () => {
  const MiB = 1024 * 1024;
  const opened: MoodleClient[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((one) => one.close()));
  });

  function clientWith(options: Partial<MoodleClientOptions>): MoodleClient {
    const made = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: server.url,
      token: new Secret(TOKEN),
      ...options,
    });
    opened.push(made);
    return made;
  }

  async function timed<T>(promise: Promise<T>): Promise<{ result: T; ms: number }> {
    const started = performance.now();
    const result = await promise;
    return { result, ms: performance.now() - started };
  }

  it('gives up on a body still trickling in at the deadline, though each byte comes well within it', async () => {
    // A byte every 50 ms: undici's own body timeout restarts at every chunk and would wait for ever.
    server.respond(() => ({ body: '[', stream: { chunk: ' ', count: 100_000, everyMs: 50 } }));
    const { result: error, ms } = await timed(failure(clientWith({ timeoutMs: 600 }).getCourses()));

    expect(error).toMatchObject({ kind: 'timeout', retryable: true, permissionProblem: false });
    expect(error.message).toContain(
      "did not finish answering `core_course_get_courses` within 0.6 s, the client's deadline for the whole answer",
    );
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(3_000);
    // The request was aborted, not left running: the server's socket closed and it stopped sending.
    const sent = server.streamedBytes();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.streamedBytes()).toBe(sent);
  });

  it("gives the grade report's whole answer its own, longer deadline", async () => {
    // Valid JSON that takes about 0.5 s to arrive: too slow for the ordinary deadline, not for the grades'.
    const slowly = (name: string): Reply => ({
      ...exampleReply(name),
      headers: {},
      stream: { chunk: ' ', count: 10, everyMs: 50 },
    });
    server.respond((request) =>
      slowly(request.wsfunction === 'core_course_get_contents' ? 'get_contents.json' : 'grade_items.json'),
    );
    const patientForGrades = clientWith({ timeoutMs: 250, gradeTimeoutMs: 10_000 });

    await expect(patientForGrades.getGradeItems(101)).resolves.toHaveLength(2);
    expect((await failure(patientForGrades.getCourseContents(101))).kind).toBe('timeout');
  });

  it('refuses an answer whose announced length is over the limit without reading it', async () => {
    server.respond(() => ({
      headers: { 'content-length': String(100 * MiB) },
      stream: { chunk: 'x'.repeat(1024), count: 100 * 1024, everyMs: 10 },
    }));
    const limited = clientWith({ maxResponseBytes: { gradereport_user_get_grade_items: MiB } });
    const { result: error, ms } = await timed(failure(limited.getGradeItems(101)));

    expect(error).toMatchObject({ kind: 'protocol', retryable: false, permissionProblem: false });
    expect(error.message).toBe(
      '`gradereport_user_get_grade_items` for course 101 answered more than 1 MiB, ' +
        "the client's limit for this function's answers; it stopped reading there. " +
        'Look at what the site sends for this call (a page of PHP warnings? a proxy answering with a file?); ' +
        'a real answer this large is more than the sync was sized for',
    );
    expect(ms).toBeLessThan(1_000);
  });

  it('stops reading a body that grows past the limit of its function, and only of its function', async () => {
    const padded = (name: string): Reply => ({
      ...exampleReply(name),
      headers: {},
      stream: { chunk: ' '.repeat(64 * 1024), count: 1024 },
    });
    server.respond((request) =>
      padded(request.wsfunction === 'core_course_get_contents' ? 'get_contents.json' : 'grade_items.json'),
    );
    const limited = clientWith({
      maxResponseBytes: { gradereport_user_get_grade_items: MiB, core_course_get_contents: 128 * MiB },
    });

    // 64 MiB of valid JSON: read whole under a limit of 128 MiB.
    await expect(limited.getCourseContents(101)).resolves.toHaveLength(4);
    const before = server.streamedBytes();
    const error = await failure(limited.getGradeItems(101));
    expect(error).toMatchObject({ kind: 'protocol', retryable: false });
    expect(error.message).toContain('answered more than 1 MiB');
    // What the server got rid of before the socket closed: the 1 MiB read, and what the sockets' buffers held.
    expect(server.streamedBytes() - before).toBeLessThan(17 * MiB);
  });

  it('reads no more than MAX_RESPONSE_BYTES by default: 64 MiB of a grade report', async () => {
    expect(MAX_RESPONSE_BYTES).toEqual({
      core_webservice_get_site_info: 16 * MiB,
      core_course_get_courses: 64 * MiB,
      core_course_get_contents: 16 * MiB,
      gradereport_user_get_grade_items: 64 * MiB,
      core_enrol_get_enrolled_users: 16 * MiB,
      core_user_get_users_by_field: 16 * MiB,
    });
    // 200 MiB of valid JSON (a grade report padded with spaces), as fast as the client reads.
    server.respond(() => ({
      ...exampleReply('grade_items.json'),
      headers: {},
      stream: { chunk: ' '.repeat(MiB), count: 200 },
    }));
    const error = await failure(client.getGradeItems(101));

    expect(error.message).toContain('answered more than 64 MiB');
    expect(server.streamedBytes()).toBeGreaterThan(64 * MiB);
    expect(server.streamedBytes()).toBeLessThan(80 * MiB);
  });

  it.each([
    [
      'an absolute',
      'https://moodle.example.edu/login/index.php?wantsurl=%2Fwebservice',
      'https://moodle.example.edu/login/index.php',
    ],
    ['a relative', '/login/index.php?sesskey=abc', '/login/index.php'],
  ])('never follows a redirect, and names where %s Location pointed, without its query', async (_, location, named) => {
    server.respond(() => ({ status: 302, headers: { location }, body: html('Redirect') }));
    const error = await failure(client.getGradeItems(101));

    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'protocol', retryable: false, permissionProblem: false });
    expect(error.message).toContain(
      `Moodle redirected \`gradereport_user_get_grade_items\` (HTTP 302) to ${named} — a login page? ` +
        'The redirect was not followed. Check that MOODLE_URL is',
    );
    expect(error.message).not.toMatch(/wantsurl|sesskey/);
  });
});

describe('connection bound', () => {
  it('never has more than maxConnections requests in flight', async () => {
    const bounded = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: server.url,
      token: new Secret(TOKEN),
      maxConnections: 2,
    });
    server.respond(() => exampleReply('get_contents.json', { delayMs: 80 }));
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, index) => bounded.getCourseContents(100 + index)),
      );
      expect(results).toHaveLength(10);
      expect(server.requests).toHaveLength(10);
      expect(server.maxInFlight()).toBe(2);
    } finally {
      await bounded.close();
    }
  });
});

describe('call counting', () => {
  it('counts every call per function, failed ones included', async () => {
    server.respond((request) =>
      request.wsfunction === 'core_course_get_contents' ? exampleReply('get_contents.json') : { body: '' },
    );
    await client.getCourseContents(101);
    await client.getCourseContents(102);
    await failure(client.getCourses());

    expect(client.calls.byFunction()).toEqual({ core_course_get_contents: 2, core_course_get_courses: 1 });
    expect(client.calls.total()).toBe(3);
    // A snapshot, not a live view.
    client.calls.byFunction().core_course_get_courses = 99;
    expect(client.calls.total()).toBe(3);
  });
});

describe('reading a grade report a user at a time', () => {
  const MiB = 1024 * 1024;
  const reportText = exampleText('grade_items.json');
  const readAll = async (moodle: MoodleClient) => {
    const users: UserGrades[] = [];
    const count = await moodle.readGradeReport(101, (grades) => {
      users.push(grades);
    });
    return { count, users };
  };

  it('hands over every user of the whole report, in order, as getGradeItems reads them', async () => {
    server.respond(() => exampleReply('grade_items.json'));
    const whole = await client.getGradeItems(101);
    const { count, users } = await readAll(client);

    expect(users).toEqual(whole);
    expect(count).toBe(2);
    expect(server.requests.at(-1)?.form).toEqual({ wstoken: TOKEN, courseid: '101', userid: '0' });
    expect(client.calls.byFunction()).toEqual({ gradereport_user_get_grade_items: 2 });
  });

  it('reads a report past the limit of a whole answer: its size costs no memory', async () => {
    // 8 MiB of spaces after a valid report, under a whole-answer limit of 1 MiB.
    server.respond(() => ({ ...exampleReply('grade_items.json'), stream: { chunk: ' '.repeat(MiB), count: 8 } }));
    const limited = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: server.url,
      token: new Secret(TOKEN),
      maxResponseBytes: { gradereport_user_get_grade_items: MiB },
    });
    try {
      expect((await readAll(limited)).count).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it('reads past a byte-order mark, as PHP files saved with one send', async () => {
    server.respond(() => ({ ...exampleReply('grade_items.json'), body: `\uFEFF${reportText}` }));
    expect((await readAll(client)).count).toBe(2);
  });

  it.each([
    [
      'a Moodle exception',
      moodleError('nopermissions', 'Sorry, but you do not currently have permissions'),
      'missing-capability',
      false,
    ],
    ['an HTML page with HTTP 200', { body: html('Moodle: Error') }, 'protocol', true],
    ['a report cut in half', { body: reportText.slice(0, reportText.length / 2) }, 'protocol', true],
  ] as const)('classifies %s as getGradeItems does', async (_case, reply, kind, retryable) => {
    server.respond(() => reply);
    const error = await failure(readAll(client));
    expect(error).toMatchObject({ kind, retryable, wsfunction: 'gradereport_user_get_grade_items' });
    server.respond(() => reply);
    expect(await failure(client.getGradeItems(101))).toMatchObject({ kind, retryable });
  });

  it('names the path of a user of the wrong shape, and hands over none after it', async () => {
    const report = JSON.parse(reportText) as { usergrades: { userid: unknown }[] };
    report.usergrades[1]!.userid = 'two';
    server.respond(() => jsonReply(report));
    const users: UserGrades[] = [];
    const error = await failure(
      client.readGradeReport(101, (grades) => {
        users.push(grades);
      }),
    );

    expect(error).toMatchObject({ kind: 'protocol', retryable: false });
    expect(error.message).toContain('usergrades[1].userid: expected number, got string');
    expect(users).toHaveLength(1);
  });

  it('closes the answer as soon as it fails, so a long report does not keep its connection', async () => {
    const report = JSON.parse(reportText) as { usergrades: { userid: unknown }[] };
    report.usergrades[0]!.userid = 'one';
    const start = JSON.stringify(report).replace(/\]\s*,?\s*"warnings".*$|\]\s*\}$/, ',');
    // A bad first user, then 200 MiB more of the report that never come to be read.
    server.respond(() => ({ body: start, stream: { chunk: ' '.repeat(MiB), count: 200 } }));
    const before = server.streamedBytes();
    const error = await failure(readAll(client));

    expect(error).toMatchObject({ kind: 'protocol', retryable: false });
    expect(server.streamedBytes() - before).toBeLessThan(17 * MiB);
    // The connection serves the next call.
    server.respond(() => exampleReply('grade_items.json'));
    expect((await readAll(client)).count).toBe(2);
  });

  it('passes what the caller throws through unchanged, not as a Moodle failure', async () => {
    server.respond(() => exampleReply('grade_items.json'));
    const own = new Error('the planner failed');
    await expect(
      client.readGradeReport(101, () => {
        throw own;
      }),
    ).rejects.toBe(own);
  });
});

describe('scoped sessions', () => {
  it('count their own calls, also count on the client and share its connection bound', async () => {
    const bounded = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: server.url,
      token: new Secret(TOKEN),
      maxConnections: 2,
    });
    server.respond(() => exampleReply('get_contents.json', { delayMs: 50 }));
    try {
      const first = bounded.scoped();
      const second = bounded.scoped();
      await Promise.all([
        ...Array.from({ length: 3 }, () => first.getCourseContents(101)),
        ...Array.from({ length: 3 }, () => second.getCourseContents(102)),
      ]);
      await failure(first.getGradeItems(101));

      expect(first.calls.byFunction()).toEqual({ core_course_get_contents: 3, gradereport_user_get_grade_items: 1 });
      expect(second.calls.total()).toBe(3);
      expect(bounded.calls.total()).toBe(7);
      expect(server.maxInFlight()).toBe(2);
    } finally {
      await bounded.close();
    }
  });
  it('stop a call in flight when their signal aborts, with its reason, and leave other sessions alone', async () => {
    // Within the test client's deadline, so that only the abort can cut the first call short.
    server.respond(() => exampleReply('get_contents.json', { delayMs: 1_000 }));
    const owner = new AbortController();
    const cancelled = client.scoped(owner.signal);
    const other = client.scoped();
    const reason = new Error('activity cancelled: worker shutting down');
    const startedAt = performance.now();
    const calls = [cancelled.getCourseContents(101), other.getCourseContents(102)];
    setTimeout(() => owner.abort(reason), 100);

    await expect(calls[0]).rejects.toBe(reason);
    expect(performance.now() - startedAt).toBeLessThan(900);
    await expect(calls[1]).resolves.toEqual(expect.any(Array));
  });
});

describe('token secrecy', () => {
  it('never shows the token in errors, their serialisations or the console', async () => {
    const echoes: Reply[] = [
      moodleError('invalidparameter', `Invalid parameter wstoken=${TOKEN}`, `wstoken => ${TOKEN} is not valid`),
      moodleError('accessexception', `Access control exception ${TOKEN}`, `x`.repeat(390) + TOKEN),
      moodleError('somethingnew', TOKEN),
      { status: 500, body: html(`Fatal error for token ${TOKEN}`) },
      { body: html(`Login ${TOKEN}`) },
    ];
    // Its query is left out of the message altogether: login redirects carry session data there.
    const redirect: Reply = {
      status: 302,
      headers: { location: `https://moodle.example.edu/login/index.php?wstoken=${TOKEN}` },
    };
    const written: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        written.push(args.map((arg) => inspect(arg)).join(' '));
      }),
    );
    const errors: MoodleError[] = [];
    try {
      for (const reply of [...echoes, redirect, ...FAILURES.map((failureCase) => failureCase.reply)]) {
        server.respond(() => reply);
        errors.push(await failure(client.getGradeItems(101)));
      }
      server.respond(() => exampleReply('get_courses.json', { delayMs: 3_000 }));
      const impatient = createMoodleClient({
        ...DEFAULT_MOODLE_CLIENT_SETTINGS,
        url: server.url,
        token: new Secret(TOKEN),
        timeoutMs: 100,
      });
      errors.push(await failure(impatient.getCourses()));
      await impatient.close();
      const nowhere = createMoodleClient({
        ...DEFAULT_MOODLE_CLIENT_SETTINGS,
        url: await closedPortUrl(),
        token: new Secret(TOKEN),
      });
      errors.push(await failure(nowhere.getCourses()));
      await nowhere.close();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    const outputs = errors.flatMap((error) => [
      error.message,
      String(error.stack),
      JSON.stringify(error),
      inspect(error, { depth: Infinity, showHidden: true }),
      String(error),
    ]);
    expect(outputs.length).toBeGreaterThan(100);
    for (const output of [...outputs, ...written]) expect(output).not.toContain(TOKEN);
    // The echoed tokens were scrubbed, not dropped with the rest of the text.
    expect(errors.slice(0, echoes.length).every((error) => error.message.includes('[redacted]'))).toBe(true);
    // The scrubbing ran before shortening: no tail of the token survived the cut either.
    expect(errors.map((error) => error.message).join('\n')).not.toContain(TOKEN.slice(0, 12));
  });
});
