import { demoSite, type MoodleSimulator } from '../../../src/moodle-sim';
import { call, exampleJson, post, shapeDifferences, startSim, type GradeReport } from './support';

/**
 * The demo site is the site of test/fixtures/moodle: the simulator must
 * answer with the same keys and JSON types, and for course 101 with the very
 * same data (URLs aside, which point at the simulator).
 */
describe('demo site against the example responses', () => {
  let sim: MoodleSimulator;

  beforeAll(async () => {
    sim = await startSim(demoSite());
  });

  afterAll(() => sim.close());

  /** Parsed answer with the simulator's address replaced by the examples' site URL. */
  const asOnExampleSite = async (wsfunction: string, params = {}) =>
    JSON.parse(
      JSON.stringify(await call(sim, wsfunction, params))
        .split(sim.url)
        .join('https://moodle.example.edu'),
    ) as unknown;

  it.each([
    ['site_info.json', 'core_webservice_get_site_info', {}],
    ['get_courses.json', 'core_course_get_courses', {}],
    ['get_contents.json', 'core_course_get_contents', { courseid: 101 }],
    ['grade_items.json', 'gradereport_user_get_grade_items', { courseid: 101, userid: 0 }],
    ['enrolled_users.json', 'core_enrol_get_enrolled_users', { courseid: 101 }],
  ])('%s: same keys and JSON types (%s)', async (file, wsfunction, params) => {
    const actual = await call(sim, wsfunction, params);
    expect(shapeDifferences(actual, exampleJson(file))).toEqual([]);
  });

  it('shape comparison notices a missing key, an extra key and a changed type', () => {
    const example = { a: 1, b: [{ id: 1, c: null }] };
    expect(shapeDifferences({ a: 1, b: [{ id: 1, c: null }] }, example)).toEqual([]);
    expect(shapeDifferences({ a: '1', b: [{ id: 1, c: null, d: 2 }] }, example)).toEqual([
      '$.a: string instead of number',
      '$.b[1]: keys [c, d, id] instead of [c, id]',
    ]);
    expect(shapeDifferences({ a: 1, b: [{ id: 2, c: null }] }, example)).toEqual(['$.b[1]: missing']);
  });

  it('lists exactly the courses of get_courses.json, plus the generated demo courses', async () => {
    const courses = (await asOnExampleSite('core_course_get_courses')) as { id: number }[];
    expect(courses.filter((course) => course.id <= 102)).toEqual(exampleJson('get_courses.json'));
    expect(courses.length).toBeGreaterThan(3);
  });

  it('returns course 101 contents exactly as get_contents.json', async () => {
    expect(await asOnExampleSite('core_course_get_contents', { courseid: 101 })).toEqual(
      exampleJson('get_contents.json'),
    );
  });

  it('returns the grade report of course 101 exactly as grade_items.json, users in last-name order', async () => {
    const report = (await asOnExampleSite('gradereport_user_get_grade_items', { courseid: 101 })) as GradeReport;
    // graded_users_iterator sorts by last name: Dlamini before Martin (the example lists them by id).
    expect(report.usergrades.map((user) => user.userid)).toEqual([2002, 2001]);
    const example = exampleJson('grade_items.json') as GradeReport;
    expect([...report.usergrades].sort((a, b) => a.userid - b.userid)).toEqual(example.usergrades);
    expect(report.warnings).toEqual([]);
  });

  it('returns the participants of course 101 exactly as enrolled_users.json', async () => {
    expect(await asOnExampleSite('core_enrol_get_enrolled_users', { courseid: 101 })).toEqual(
      exampleJson('enrolled_users.json'),
    );
  });

  it('answers site info like site_info.json apart from its own URL and function list', async () => {
    const info = (await call(sim, 'core_webservice_get_site_info')) as Record<string, unknown>;
    const example = exampleJson('site_info.json') as Record<string, unknown>;
    const comparable = (value: Record<string, unknown>) => {
      const { siteurl: _siteurl, userpictureurl: _picture, functions: _functions, ...rest } = value;
      return rest;
    };
    expect(comparable(info)).toEqual(comparable(example));
    expect(info.siteurl).toBe(sim.url);
    expect(info.functions).toEqual(
      [
        'core_course_get_contents',
        'core_course_get_courses',
        'core_enrol_get_enrolled_users',
        'core_user_get_users_by_field',
        'core_webservice_get_site_info',
        'gradereport_user_get_grade_items',
      ].map((name) => ({ name, version: '2024100700' })),
    );
  });

  it('writes JSON the way PHP does: escaped slashes and \\u escapes, integral grades as floats', async () => {
    const raw = (await post(sim, 'core_course_get_contents', { courseid: 101 })).text;
    expect(raw).toContain('"name":"Week 1 \\u2013 Poetry"');
    expect(raw).toContain('<\\/p>');
    expect(raw).not.toMatch(/\n/);
    const report = (await post(sim, 'gradereport_user_get_grade_items', { courseid: 101, userid: 2001 })).text;
    expect(report).toContain('"graderaw":78.0,');
    expect(report).toContain('"weightraw":0.90909,');
  });
});
