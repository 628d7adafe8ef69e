import { DEFAULT_MOODLE_CLIENT_SETTINGS } from '../../support/moodle-defaults';
import { inspect } from 'node:util';
import {
  createMoodleClient,
  isMoodleError,
  REQUIRED_FUNCTIONS,
  type MoodleClient,
  type MoodleError,
} from '../../../src/moodle';
import { demoSite, generateSite, startMoodleSimulator, type MoodleSimulator } from '../../../src/moodle-sim';
import { Secret } from '../../../src/secret';

// The client and the simulator were written apart from each other against
// docs/moodle.md and test/fixtures/moodle; here they must understand each other over real HTTP.
const TOKEN = '5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e';

async function failure(promise: Promise<unknown>): Promise<MoodleError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isMoodleError(error)) throw new Error(`expected a MoodleError, got ${inspect(error)}`);
  return error;
}

describe('the Moodle client against the simulator', () => {
  let sim: MoodleSimulator;
  let client: MoodleClient;

  beforeEach(async () => {
    sim = await startMoodleSimulator({ site: demoSite(), token: TOKEN });
    client = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: sim.url,
      token: new Secret(TOKEN),
      timeoutMs: 1_000,
    });
  });

  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('reads every function the service needs', async () => {
    const site = await client.preflight();
    expect(site.functions).toEqual(expect.arrayContaining([...REQUIRED_FUNCTIONS]));

    const courses = await client.getCourses();
    expect(courses.find((course) => course.id === site.siteId)?.format).toBe('site');
    expect(courses.find((course) => course.id === 102)?.visible).toBe(false);

    const sections = await client.getCourseContents(101);
    const modules = sections.flatMap((section) => section.modules);
    expect(modules.find((module) => module.id === 1009)?.visibleOnCoursePage).toBe(false);

    const gradebook = await client.getGradeItems(101);
    expect(gradebook.map((user) => user.userId).sort()).toEqual([2001, 2002]);
    const alone = await client.getGradeItems(101, 2001);
    expect(alone).toHaveLength(1);
    expect(alone[0]?.gradeItems.find((item) => item.itemType === 'course')?.itemName).toBeNull();

    const enrolled = await client.getEnrolledUsers(101);
    expect(enrolled.map((user) => user.idNumber).sort()).toEqual(['S1001', 'S1002', 'T0042']);
    const found = await client.getUsersByField('idnumber', ['S1002', 'nobody']);
    expect(found.map((user) => user.fullName)).toEqual(['Bongani Dlamini']);

    expect(sim.calls.byFunction()).toEqual({
      core_webservice_get_site_info: 1,
      core_course_get_courses: 1,
      core_course_get_contents: 1,
      gradereport_user_get_grade_items: 2,
      core_enrol_get_enrolled_users: 1,
      core_user_get_users_by_field: 1,
    });
  });

  it('sees changes made to the site while it runs', async () => {
    sim.site.grade(101, 2002, 1005, 7);
    const [bongani] = await client.getGradeItems(101, 2002);
    expect(bongani?.gradeItems.find((item) => item.cmid === 1005)?.gradeRaw).toBe(7);
  });

  it.each<
    [string, (sim: MoodleSimulator) => unknown, (client: MoodleClient) => Promise<unknown>, Partial<MoodleError>]
  >([
    [
      'a revoked token',
      (s) => s.site.revokeToken(),
      (c) => c.getCourses(),
      { kind: 'invalid-token', permissionProblem: true },
    ],
    [
      'a function removed from the service',
      (s) => s.site.removeFunction('gradereport_user_get_grade_items'),
      (c) => c.getGradeItems(101),
      { kind: 'function-not-allowed', permissionProblem: true, retryable: false },
    ],
    [
      'web services switched off',
      (s) => s.site.setWebServicesEnabled(false),
      (c) => c.getSiteInfo(),
      { kind: 'webservices-disabled' },
    ],
    [
      'a missing capability',
      (s) => s.site.removeCapability('moodle/grade:viewall'),
      (c) => c.getGradeItems(101),
      { kind: 'missing-capability', permissionProblem: true },
    ],
    [
      'a course the token may no longer enter',
      (s) => s.site.denyCourseAccess(101),
      (c) => c.getCourseContents(101),
      { kind: 'course-inaccessible', permissionProblem: true },
    ],
    [
      'a deleted course',
      (s) => s.site.deleteCourse(101),
      (c) => c.getCourseContents(101),
      { kind: 'course-not-found', retryable: false },
    ],
    [
      'maintenance mode',
      (s) => s.faults.set({ maintenance: true }),
      (c) => c.getCourses(),
      { kind: 'maintenance', retryable: true },
    ],
    [
      'an HTML 5xx page',
      (s) => s.faults.set({ serverErrorRate: 1 }),
      (c) => c.getCourses(),
      { kind: 'server-error', retryable: true },
    ],
    [
      'a 429 from a proxy',
      (s) => s.faults.set({ rateLimitRate: 1 }),
      (c) => c.getCourses(),
      { kind: 'rate-limited', retryable: true },
    ],
    [
      'a request that never answers',
      (s) => s.faults.set({ timeoutRate: 1 }),
      (c) => c.getCourses(),
      { kind: 'timeout', retryable: true },
    ],
    ['malformed JSON', (s) => s.faults.set({ malformedRate: 1 }), (c) => c.getCourses(), { kind: 'protocol' }],
    [
      'an HTML error page with status 200',
      (s) => s.faults.set({ htmlErrorRate: 1 }),
      (c) => c.getCourses(),
      { kind: 'protocol' },
    ],
    [
      'CLI maintenance mode (HTTP 503)',
      (s) => s.faults.set({ cliMaintenance: true }),
      (c) => c.getCourses(),
      { kind: 'maintenance', retryable: true },
    ],
    [
      'a site whose port is closed',
      (s) => s.stopListening(),
      (c) => c.getSiteInfo(),
      { kind: 'unreachable', retryable: true, message: expect.stringContaining('connection refused') },
    ],
    [
      "a course's grade report answered by an HTML page with status 200",
      (s) => s.faults.set({ courseFaults: new Map([[101, { answer: 'html-page' }]]) }),
      (c) => c.getGradeItems(101),
      { kind: 'protocol', retryable: true, message: expect.stringContaining('an HTML page ("Error")') },
    ],
    [
      "a course's grade report cut short",
      (s) => s.faults.set({ courseFaults: new Map([[101, { answer: 'truncated-json' }]]) }),
      (c) => c.getGradeItems(101),
      { kind: 'protocol', retryable: true, message: expect.stringContaining('not valid JSON') },
    ],
    [
      "a course's grade report redirected to the login page",
      (s) => s.faults.set({ courseFaults: new Map([[101, { answer: 'redirect' }]]) }),
      (c) => c.getGradeItems(101),
      { kind: 'protocol', retryable: false, message: expect.stringContaining('/login/index.php — a login page?') },
    ],
    [
      "a course's contents trickling in a byte a second",
      (s) =>
        s.faults.set({ courseFaults: new Map([[101, { answer: 'trickle', wsfunction: 'core_course_get_contents' }]]) }),
      (c) => c.getCourseContents(101),
      { kind: 'timeout', retryable: true, message: expect.stringContaining('within 1 s') },
    ],
    [
      // The client's own limit (64 MiB), not a smaller one set for the test.
      "a course's grade report of 96 MiB",
      (s) => s.faults.set({ courseFaults: new Map([[101, { answer: 'oversized', bytes: 96 * 1024 * 1024 }]]) }),
      (c) => c.getGradeItems(101),
      { kind: 'protocol', retryable: false, message: expect.stringContaining('answered more than 64 MiB') },
    ],
  ])('classifies %s', async (_case, breakSite, callMoodle, expected) => {
    await breakSite(sim);
    const error = await failure(callMoodle(client));
    expect(error).toMatchObject(expected);
    for (const rendering of [error.message, error.stack, JSON.stringify(error), inspect(error, { depth: 5 })]) {
      expect(rendering).not.toContain(TOKEN);
    }
  });

  it("reads other courses as usual while one course's answers are garbage", async () => {
    sim.faults.set({
      courseFaults: new Map([
        [101, { answer: 'oversized', bytes: 96 * 1024 * 1024, wsfunction: 'core_course_get_contents' }],
      ]),
    });
    const [broken, contents, grades] = await Promise.allSettled([
      client.getCourseContents(101),
      client.getCourseContents(102),
      client.getGradeItems(101),
    ]);
    expect(broken).toMatchObject({ status: 'rejected', reason: { kind: 'protocol' } });
    expect(contents.status).toBe('fulfilled');
    expect(grades.status).toBe('fulfilled');
  });

  it('reports every missing function at once in the preflight', async () => {
    sim.site.removeFunction('core_course_get_contents');
    sim.site.removeFunction('core_enrol_get_enrolled_users');
    const error = await failure(client.preflight());
    expect(error.kind).toBe('function-not-allowed');
    expect(error.missingFunctions).toEqual(['core_course_get_contents', 'core_enrol_get_enrolled_users']);
    expect(error.message).toContain('core_course_get_contents');
    expect(error.message).toContain('core_enrol_get_enrolled_users');
  });
});

describe('the Moodle client against a generated site', () => {
  it('parses every course, its contents and its gradebook', async () => {
    const sim = await startMoodleSimulator({
      site: generateSite({ seed: 'client-contract', courses: 12, studentsPerCourse: 6, activitiesPerCourse: 8 }),
      token: TOKEN,
    });
    const client = createMoodleClient({ ...DEFAULT_MOODLE_CLIENT_SETTINGS, url: sim.url, token: new Secret(TOKEN) });
    try {
      const site = await client.preflight();
      const courses = (await client.getCourses()).filter((course) => course.id !== site.siteId);
      expect(courses).toHaveLength(12);
      for (const course of courses) {
        const [sections, gradebook] = await Promise.all([
          client.getCourseContents(course.id),
          client.getGradeItems(course.id),
        ]);
        expect(sections.length).toBeGreaterThan(0);
        expect(gradebook.length).toBe(sim.site.students(course.id).length);
      }
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
