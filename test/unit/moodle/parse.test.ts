import {
  isMoodleError,
  MoodleError,
  parseCourseContents,
  parseCourses,
  parseGradeItems,
  parseMoodleBody,
  parseSiteInfo,
  parseUsers,
  REQUIRED_FUNCTIONS,
  type MoodleErrorKind,
  type MoodleResponse,
} from '../../../src/moodle';
import { exampleFiles, exampleJson, exampleText } from './support/examples';

const call = { wsfunction: 'core_course_get_contents', courseId: 101 };

function body(text: string, status = 200, headers: MoodleResponse['headers'] = {}): unknown {
  return parseMoodleBody(call, { status, headers, body: text });
}

function thrown(action: () => unknown): MoodleError {
  try {
    action();
  } catch (error) {
    if (isMoodleError(error)) return error;
    throw new Error(`expected a MoodleError, got ${String(error)}`);
  }
  throw new Error('expected a MoodleError, but nothing was thrown');
}

interface SuccessCase {
  /** Parses the example's JSON and reduces the result to what `expected` spells out. */
  read: (json: unknown) => unknown;
  expected: unknown;
}

function success<T>(parse: (json: unknown) => T, summarise: (parsed: T) => unknown, expected: unknown): SuccessCase {
  return { read: (json) => summarise(parse(json)), expected };
}

const whole = <T>(parsed: T): T => parsed;

/** What each successful example parses to (test/fixtures/moodle/README.md describes the site). */
const SUCCESS_PARSERS: Record<string, SuccessCase> = {
  'site_info.json': success(parseSiteInfo, whole, {
    siteName: 'Example Academy',
    siteUrl: 'https://moodle.example.edu',
    userId: 7,
    username: 'svc_sms_sync',
    functions: [
      'core_course_get_contents',
      'core_course_get_courses',
      'core_course_get_courses_by_field',
      'core_course_get_updates_since',
      'core_enrol_get_enrolled_users',
      'core_user_get_users_by_field',
      'core_webservice_get_site_info',
      'gradereport_user_get_grade_items',
      'gradereport_user_get_grades_table',
    ],
    release: '4.5 (Build: 20241007)',
    version: '2024100700',
    siteId: 1,
  }),
  'get_courses.json': success(parseCourses, whole, [
    {
      id: 1,
      shortName: 'EXACAD',
      fullName: 'Example Academy',
      displayName: 'Example Academy',
      categoryId: 0,
      format: 'site',
      idNumber: '',
      visible: true,
      startDate: 0,
      endDate: 0,
      timeModified: 1721000000,
    },
    {
      id: 101,
      shortName: 'ENG201-2025',
      fullName: 'English Literature 201',
      displayName: 'English Literature 201',
      categoryId: 3,
      format: 'topics',
      idNumber: 'SMS-ENG201-2025A',
      visible: true,
      startDate: 1736985600,
      endDate: 1750377600,
      timeModified: 1736900000,
    },
    {
      id: 102,
      shortName: 'BIO110-2024',
      fullName: 'Biology 110 (archived)',
      displayName: 'Biology 110 (archived)',
      categoryId: 4,
      format: 'weeks',
      idNumber: 'SMS-BIO110-2024B',
      visible: false,
      startDate: 1722470400,
      endDate: 1734048000,
      timeModified: 1735000000,
    },
  ]),
  // Sections as [id, section, name, visible, modules]; modules as
  // [cmid, modName, instance, name, visible, visibleOnCoursePage, userVisible].
  'get_contents.json': success(
    parseCourseContents,
    (sections) =>
      sections.map((section) => [
        section.id,
        section.section,
        section.name,
        section.visible,
        section.modules.map((module) => [
          module.id,
          module.modName,
          module.instance,
          module.name,
          module.visible,
          module.visibleOnCoursePage,
          module.userVisible,
        ]),
      ]),
    [
      [
        5010,
        0,
        'General',
        true,
        [
          [1001, 'forum', 51, 'Announcements', true, true, true],
          [1002, 'label', 61, 'Welcome banner', true, true, true],
        ],
      ],
      [
        5011,
        1,
        'Week 1 – Poetry',
        true,
        [
          [1003, 'page', 71, 'Reading list', true, true, true],
          [1004, 'assign', 11, 'Essay 1: Romantic poets', true, true, true],
          [1005, 'quiz', 7, 'Week 2 quiz', true, true, true],
          [1006, 'forum', 52, 'Seminar discussion', true, true, true],
          [1007, 'choice', 21, 'Pick your seminar slot', true, true, true],
        ],
      ],
      [
        5012,
        2,
        'Week 2 – Drama',
        true,
        [
          [1008, 'assign', 12, 'Essay 2 (draft, not released)', false, true, true],
          [1009, 'url', 81, 'Globe Theatre virtual tour', true, false, true],
        ],
      ],
      [5013, 3, 'Exam preparation', false, [[1011, 'quiz', 8, 'Mock exam', false, true, true]]],
    ],
  ),
  // Per student: [courseId, userId, userFullName, userIdNumber, items]; items as
  // [id, itemType, itemName, cmid, gradeRaw, gradeMax, gradeFormatted] in report order.
  'grade_items.json': success(
    parseGradeItems,
    (report) =>
      report.map((user) => [
        user.courseId,
        user.userId,
        user.userFullName,
        user.userIdNumber,
        user.gradeItems.map((item) => [
          item.id,
          item.itemType,
          item.itemName,
          item.cmid,
          item.gradeRaw,
          item.gradeMax,
          item.gradeFormatted,
        ]),
      ]),
    [
      [
        101,
        2001,
        'Alice Martin',
        'S1001',
        [
          [
            3003,
            'mod',
            'Essay 1: Romantic poets',
            1004,
            78,
            100,
            '<i class="icon fa fa-check text-success fa-fw inline" title="Pass" role="img" aria-label="Pass"></i>78.00',
          ],
          [3004, 'mod', 'Week 2 quiz', 1005, 8.5, 10, '8.50'],
          [3005, 'mod', 'Essay 2 (draft, not released)', 1008, null, 100, '-'],
          [3002, 'category', null, undefined, 86.5, 110, '86.50'],
          [3006, 'mod', 'Seminar discussion rating', 1006, 3, 4, 'Good'],
          [3007, 'mod', 'Mock exam', 1011, null, 20, '-'],
          [3008, 'manual', 'Attendance', undefined, 5, 6, '5.00'],
          [3001, 'course', null, undefined, 94.5, 120, '94.50'],
        ],
      ],
      [
        101,
        2002,
        'Bongani Dlamini',
        'S1002',
        [
          [3003, 'mod', 'Essay 1: Romantic poets', 1004, null, 100, '-'],
          [3004, 'mod', 'Week 2 quiz', 1005, null, 10, '-'],
          [3005, 'mod', 'Essay 2 (draft, not released)', 1008, null, 100, '-'],
          [3002, 'category', null, undefined, null, 210, '-'],
          [3006, 'mod', 'Seminar discussion rating', 1006, null, 4, '-'],
          [3007, 'mod', 'Mock exam', 1011, null, 20, '-'],
          [3008, 'manual', 'Attendance', undefined, null, 6, '-'],
          [3001, 'course', null, undefined, null, 240, '-'],
        ],
      ],
    ],
  ),
  'enrolled_users.json': success((json) => parseUsers(json), whole, [
    {
      id: 1500,
      username: 'tokafor',
      firstName: 'Tina',
      lastName: 'Okafor',
      fullName: 'Tina Okafor',
      email: 'tina.okafor@example.edu',
      idNumber: 'T0042',
      roles: ['editingteacher'],
    },
    {
      id: 2001,
      username: 's1001',
      firstName: 'Alice',
      lastName: 'Martin',
      fullName: 'Alice Martin',
      email: 'alice.martin@students.example.edu',
      idNumber: 'S1001',
      roles: ['student'],
    },
    {
      id: 2002,
      username: 's1002',
      firstName: 'Bongani',
      lastName: 'Dlamini',
      fullName: 'Bongani Dlamini',
      email: 'bongani.dlamini@students.example.edu',
      idNumber: 'S1002',
      roles: ['student'],
    },
  ]),
};

interface ExpectedError {
  kind: MoodleErrorKind;
  retryable: boolean;
  permissionProblem: boolean;
}

const permission = (kind: MoodleErrorKind): ExpectedError => ({ kind, retryable: false, permissionProblem: true });
const EXPECTED_ERRORS: Record<string, ExpectedError> = {
  'error_accessexception.json': permission('function-not-allowed'),
  'error_accessexception_debug.json': permission('function-not-allowed'),
  'error_errorcoursecontextnotvalid.json': permission('course-inaccessible'),
  'error_requireloginerror.json': permission('course-inaccessible'),
  'error_invalidrecord_unknown_function.json': permission('function-unknown'),
  'error_invalidtoken.json': permission('invalid-token'),
  'error_nopermissions.json': permission('missing-capability'),
  'error_nopermissiontoviewgrades.json': permission('missing-capability'),
  'error_invalidparameter.json': { kind: 'invalid-parameter', retryable: false, permissionProblem: false },
  'error_invalidrecord_course.json': { kind: 'course-not-found', retryable: false, permissionProblem: false },
  'error_sitemaintenance.json': { kind: 'maintenance', retryable: true, permissionProblem: false },
};

describe('example responses', () => {
  it('has an expectation for every example file', () => {
    const covered = new Set([...Object.keys(SUCCESS_PARSERS), ...Object.keys(EXPECTED_ERRORS)]);
    expect(exampleFiles().filter((name) => !covered.has(name))).toEqual([]);
    expect(exampleFiles()).toHaveLength(covered.size);
  });

  it.each(Object.entries(SUCCESS_PARSERS))('%s parses to the values it holds', (name, { read, expected }) => {
    expect(read(body(exampleText(name)))).toStrictEqual(expected);
  });

  it.each(Object.entries(EXPECTED_ERRORS))('%s is classified', (name, expected) => {
    const error = thrown(() => body(exampleText(name)));
    expect(error).toBeInstanceOf(MoodleError);
    expect({ kind: error.kind, retryable: error.retryable, permissionProblem: error.permissionProblem }).toEqual(
      expected,
    );
    expect(error.errorcode).toBe((exampleJson(name) as { errorcode: string }).errorcode);
    expect(error.wsfunction).toBe(call.wsfunction);
    expect(error.name).toBe('MoodleError');
  });
});

describe('parseSiteInfo', () => {
  const info = parseSiteInfo(exampleJson('site_info.json'));

  it('maps the service account, release and front-page id', () => {
    expect(info).toMatchObject({
      siteName: 'Example Academy',
      siteUrl: 'https://moodle.example.edu',
      userId: 7,
      username: 'svc_sms_sync',
      release: '4.5 (Build: 20241007)',
      version: '2024100700',
      siteId: 1,
    });
  });

  it('lists the service functions by name, covering every required one', () => {
    expect(info.functions).toHaveLength(9);
    expect(info.functions).toEqual(expect.arrayContaining([...REQUIRED_FUNCTIONS]));
  });

  it('defaults siteId to 1 and leaves release/version out when Moodle omits them', () => {
    const {
      siteid: _siteid,
      release: _release,
      version: _version,
      ...older
    } = exampleJson('site_info.json') as Record<string, unknown>;
    const parsed = parseSiteInfo(older);
    expect(parsed.siteId).toBe(1);
    expect('release' in parsed).toBe(false);
    expect('version' in parsed).toBe(false);
  });
});

describe('parseCourses', () => {
  const courses = parseCourses(exampleJson('get_courses.json'));
  const byId = (id: number) => courses.find((course) => course.id === id);

  it('keeps the front page, recognisable by format "site"', () => {
    expect(courses.map((course) => course.id)).toEqual([1, 101, 102]);
    expect(byId(1)).toMatchObject({ format: 'site', categoryId: 0, startDate: 0, endDate: 0 });
  });

  it('turns visible 0/1 into booleans and keeps the SMS code', () => {
    expect(byId(101)).toEqual({
      id: 101,
      shortName: 'ENG201-2025',
      fullName: 'English Literature 201',
      displayName: 'English Literature 201',
      categoryId: 3,
      format: 'topics',
      idNumber: 'SMS-ENG201-2025A',
      visible: true,
      startDate: 1736985600,
      endDate: 1750377600,
      timeModified: 1736900000,
    });
    expect(byId(102)?.visible).toBe(false);
  });

  it('omits fields a token without course:update does not get', () => {
    const [course] = parseCourses([
      {
        id: 5,
        shortname: 'S',
        fullname: 'F',
        displayname: 'D',
        categoryid: 2,
        format: 'weeks',
        startdate: 1,
        enddate: 0,
      },
    ]);
    expect(course).toEqual({
      id: 5,
      shortName: 'S',
      fullName: 'F',
      displayName: 'D',
      categoryId: 2,
      format: 'weeks',
      startDate: 1,
      endDate: 0,
    });
    expect(Object.keys(course ?? {})).not.toContain('visible');
  });

  it('names the function and the path of a bad field', () => {
    const courses = exampleJson('get_courses.json') as Record<string, unknown>[];
    courses[2] = { ...courses[2], id: '102' };
    const error = thrown(() => parseCourses(courses));
    expect(error.kind).toBe('protocol');
    expect(error.retryable).toBe(false);
    expect(error.wsfunction).toBe('core_course_get_courses');
    expect(error.message).toBe(
      'core_course_get_courses returned an unexpected response: [2].id: expected number, got string',
    );
  });

  it('reports missing keys and wrong top-level shapes', () => {
    expect(thrown(() => parseCourses([{ id: 1 }])).message).toContain('[0].shortname: expected string, got nothing');
    expect(thrown(() => parseCourses({ courses: [] })).message).toContain('response: expected array, got object');
    expect(thrown(() => parseCourses([{ id: 1.5 }])).message).toContain('[0].id: expected integer, got a fraction');
  });

  it('does not quote offending values, which may be personal data', () => {
    const error = thrown(() => parseUsers([{ id: 1, fullname: 42, email: { secret: 'alice@example.edu' } }]));
    expect(error.message).not.toContain('alice@example.edu');
    expect(error.message).toContain('[0].fullname: expected string, got number');
  });
});

describe('parseCourseContents', () => {
  const sections = parseCourseContents(exampleJson('get_contents.json'));
  const modules = sections.flatMap((section) => section.modules);
  const module = (id: number) => modules.find((candidate) => candidate.id === id);

  it('keeps every section in order with its modules', () => {
    expect(sections.map((section) => [section.section, section.name])).toEqual([
      [0, 'General'],
      [1, 'Week 1 – Poetry'],
      [2, 'Week 2 – Drama'],
      [3, 'Exam preparation'],
    ]);
    expect(modules.map((candidate) => candidate.modName)).toEqual(
      expect.arrayContaining(['forum', 'label', 'page', 'assign', 'quiz', 'choice', 'url']),
    );
  });

  it('maps the visibility cases of docs/moodle.md §4.3', () => {
    expect(module(1004)).toEqual({
      id: 1004,
      name: 'Essay 1: Romantic poets',
      modName: 'assign',
      instance: 11,
      visible: true,
      visibleOnCoursePage: true,
      userVisible: true,
    });
    expect(module(1008)).toMatchObject({ visible: false, visibleOnCoursePage: true });
    expect(module(1009)).toMatchObject({ modName: 'url', visible: true, visibleOnCoursePage: false });
    expect(sections[3]).toMatchObject({ visible: false, modules: [{ id: 1011, visible: false }] });
  });

  it('treats a section without `visible` as visible', () => {
    const [section] = parseCourseContents([{ id: 9, name: 'Topic', section: 1, modules: [] }]);
    expect(section).toEqual({ id: 9, name: 'Topic', section: 1, visible: true, modules: [] });
  });
});

describe('parseGradeItems', () => {
  const report = parseGradeItems(exampleJson('grade_items.json'));
  const [alice, bongani] = report;
  const item = (grades: typeof alice, id: number) => grades?.gradeItems.find((candidate) => candidate.id === id);

  it('returns one entry per student with their items in tree order', () => {
    expect(report.map((user) => [user.userId, user.userFullName, user.userIdNumber, user.courseId])).toEqual([
      [2001, 'Alice Martin', 'S1001', 101],
      [2002, 'Bongani Dlamini', 'S1002', 101],
    ]);
    expect(alice?.gradeItems.map((candidate) => candidate.id)).toEqual([
      3003, 3004, 3005, 3002, 3006, 3007, 3008, 3001,
    ]);
    expect(alice?.gradeItems.at(-1)?.itemType).toBe('course');
  });

  it('has a null itemName for category and course totals', () => {
    expect(item(alice, 3002)).toMatchObject({
      itemName: null,
      itemType: 'category',
      categoryId: null,
      itemInstance: 202,
    });
    expect(item(alice, 3001)).toMatchObject({ itemName: null, itemType: 'course', idNumber: null });
    expect('weightRaw' in (item(alice, 3001) ?? {})).toBe(false);
  });

  it('keeps numbers as numbers and formatted strings and HTML verbatim', () => {
    const essay = item(alice, 3003);
    expect(essay).toMatchObject({
      gradeRaw: 78,
      gradeMin: 0,
      gradeMax: 100,
      weightRaw: 0.90909,
      cmid: 1004,
      feedbackFormat: 1,
    });
    expect(essay?.gradeFormatted).toBe(
      '<i class="icon fa fa-check text-success fa-fw inline" title="Pass" role="img" aria-label="Pass"></i>78.00',
    );
    expect(essay?.feedback).toBe(
      '<p>Well-structured argument. <strong>Work on your citations</strong> (see the style guide).</p>',
    );
    expect(essay?.rangeFormatted).toBe('0&ndash;100');
    expect('status' in (essay ?? {})).toBe(false);
  });

  it('reads the scale item by its formatted grade', () => {
    expect(item(alice, 3006)).toMatchObject({
      gradeRaw: 3,
      gradeFormatted: 'Good',
      rangeFormatted: 'Poor&ndash;Excellent',
      letterGradeFormatted: 'D',
    });
  });

  it('gives Bongani null grades (not graded), never undefined', () => {
    expect(bongani?.gradeItems).toHaveLength(8);
    for (const gradeItem of bongani?.gradeItems ?? []) {
      expect(gradeItem.gradeRaw).toBeNull();
      expect(gradeItem.gradeFormatted).toBe('-');
    }
    expect(item(bongani, 3003)?.status).toBe('novalue');
  });

  it('keeps hidden and manual items', () => {
    expect(item(alice, 3005)?.gradeIsHidden).toBe(true);
    const attendance = item(alice, 3008);
    expect(attendance).toMatchObject({
      itemType: 'manual',
      itemModule: null,
      itemInstance: null,
      idNumber: 'ENG201-ATT',
    });
    expect('cmid' in (attendance ?? {})).toBe(false);
  });

  describe('rows from other versions and report settings', () => {
    const row = {
      id: 1,
      itemname: 'Essay',
      itemtype: 'mod',
      itemmodule: 'assign',
      iteminstance: 3,
      itemnumber: 0,
      idnumber: '',
      categoryid: 2,
    };
    const parseRow = (gradeItem: Record<string, unknown>) =>
      parseGradeItems({
        usergrades: [{ courseid: 1, userid: 2, userfullname: 'A B', gradeitems: [gradeItem] }],
        warnings: [],
      })[0]?.gradeItems[0];

    it('leaves gradeRaw out entirely when the report does not show grades', () => {
      const parsed = parseRow(row);
      expect(parsed).toStrictEqual({
        id: 1,
        itemName: 'Essay',
        itemType: 'mod',
        itemModule: 'assign',
        itemInstance: 3,
        itemNumber: 0,
        idNumber: '',
        categoryId: 2,
      });
      expect(parsed?.gradeRaw).toBeUndefined();
      expect(Object.keys(parsed ?? {})).not.toContain('gradeRaw');
      for (const key of ['status', 'weightRaw', 'feedbackFormat', 'gradeFormatted']) {
        expect(Object.keys(parsed ?? {})).not.toContain(key);
      }
    });

    it('tells null (not graded) apart from absent', () => {
      expect(parseRow({ ...row, graderaw: null })?.gradeRaw).toBeNull();
      expect(parseRow({ ...row, graderaw: null, status: 'novalue' })).toMatchObject({
        gradeRaw: null,
        status: 'novalue',
      });
    });

    it('reads the always-present nullable fields as null when an old Moodle omits them', () => {
      expect(parseRow({ id: 4, itemtype: 'manual' })).toEqual({
        id: 4,
        itemName: null,
        itemType: 'manual',
        itemModule: null,
        itemInstance: null,
        itemNumber: null,
        idNumber: null,
        categoryId: null,
      });
    });

    it('leaves out the user idnumber when Moodle does', () => {
      const [user] = parseGradeItems({ usergrades: [{ courseid: 1, userid: 2, userfullname: 'A B', gradeitems: [] }] });
      expect(user).toEqual({ courseId: 1, userId: 2, userFullName: 'A B', gradeItems: [] });
    });

    it('names the path of a wrongly typed grade', () => {
      const error = thrown(() => parseRow({ ...row, graderaw: '78.00' }));
      expect(error.message).toBe(
        'gradereport_user_get_grade_items returned an unexpected response: usergrades[0].gradeitems[0].graderaw: expected number, got string',
      );
    });
  });
});

describe('parseUsers', () => {
  it('maps enrolled users with their role shortnames', () => {
    const users = parseUsers(exampleJson('enrolled_users.json'));
    expect(users).toHaveLength(3);
    expect(users[1]).toEqual({
      id: 2001,
      username: 's1001',
      firstName: 'Alice',
      lastName: 'Martin',
      fullName: 'Alice Martin',
      email: 'alice.martin@students.example.edu',
      idNumber: 'S1001',
      roles: ['student'],
    });
    expect(users[0]?.roles).toEqual(['editingteacher']);
  });

  it('accepts the sparse details a weaker token sees and names the function it was given', () => {
    expect(parseUsers([{ id: 3, fullname: 'C D' }], 'core_user_get_users_by_field')).toEqual([
      { id: 3, fullName: 'C D' },
    ]);
    expect(thrown(() => parseUsers([{ id: 3 }], 'core_user_get_users_by_field')).wsfunction).toBe(
      'core_user_get_users_by_field',
    );
  });
});

describe('parseMoodleBody', () => {
  const moodleError = (errorcode: string, message = 'x', extra: Record<string, string> = {}) =>
    JSON.stringify({ exception: 'core\\exception\\moodle_exception', errorcode, message, ...extra });

  it.each<[string, MoodleErrorKind, boolean, boolean]>([
    ['wsaccessusersuspended', 'account-blocked', false, true],
    ['wsaccessusernologin', 'account-blocked', false, true],
    ['sitepolicynotagreed', 'account-blocked', false, true],
    ['notingroup', 'missing-capability', false, true],
    ['restrictedcontextexception', 'missing-capability', false, true],
    ['invalidcourseid', 'course-not-found', false, false],
    ['upgraderunning', 'maintenance', true, false],
    ['dmlreadexception', 'server-error', true, false],
    ['dmlwriteexception', 'server-error', true, false],
    ['dbconnectionfailed', 'server-error', true, false],
    ['invaliduser', 'user-not-found', false, false],
    ['userdeleted', 'user-not-found', false, false],
    ['errorinvalidparam', 'invalid-parameter', false, false],
    ['codingerror', 'invalid-parameter', false, false],
    ['invalidresponse', 'moodle-error', false, false],
    ['somethingnew', 'moodle-error', false, false],
  ])('classifies errorcode %s as %s', (errorcode, kind, retryable, permissionProblem) => {
    const error = thrown(() => body(moodleError(errorcode)));
    expect(error).toMatchObject({ kind, retryable, permissionProblem, errorcode });
  });

  it('branches on errorcode, not on the localised message', () => {
    const german = thrown(() => body(moodleError('invalidtoken', 'Ungültiges Token - Token wurde nicht gefunden')));
    expect(german.kind).toBe('invalid-token');
    expect(german.message).toContain('Ungültiges Token');
  });

  it('tells the tables of invalidrecord apart, whatever the language', () => {
    const missing = (message: string) => thrown(() => body(moodleError('invalidrecord', message))).kind;
    expect(missing('Datensatz in der Tabelle external_functions nicht gefunden.')).toBe('function-unknown');
    expect(missing('Datensatz in der Tabelle course nicht gefunden.')).toBe('course-not-found');
    expect(missing('Can not find data record in database table course_modules.')).toBe('moodle-error');
    // Developer debugging appends SQL; its `course` column must not make this a deleted course.
    expect(
      missing(
        'Can not find data record in database table course_modules. (SELECT * FROM {course_modules} WHERE course = ?)',
      ),
    ).toBe('moodle-error');
  });

  it('writes advice a technician can act on', () => {
    const access = thrown(() => body(exampleText('error_accessexception_debug.json')));
    expect(access.message).toMatch(
      /^the token's service does not allow `core_course_get_contents`: add it to the external service \(Site administration > Server > Web services > External services\)/,
    );
    expect(access.message).toContain('token has not expired');
    expect(access.message).toContain('IP restriction');
    expect(access.message).toContain('Access control exception');
    const gone = thrown(() => body(exampleText('error_invalidrecord_course.json')));
    expect(gone.message).toMatch(/^course 101 no longer exists in Moodle/);
    const locked = thrown(() => body(exampleText('error_requireloginerror.json')));
    expect(locked.message).toContain('cannot enter course 101');
    expect(locked.message).toContain('debuginfo: "Course is hidden"');
  });

  it('treats an error body without errorcode as a Moodle error', () => {
    const error = thrown(() => body(JSON.stringify({ exception: 'some_plugin_exception', message: 'boom' })));
    expect(error.kind).toBe('moodle-error');
    expect(error.errorcode).toBeUndefined();
    expect(error.message).toContain('some_plugin_exception');
  });

  it('reads an empty 200 answer as web services switched off', () => {
    for (const text of ['', '  \n']) {
      const error = thrown(() => body(text));
      expect(error).toMatchObject({ kind: 'webservices-disabled', retryable: false, permissionProblem: true });
      expect(error.message).toContain('Enable web services');
      expect(error.message).toContain('REST');
    }
  });

  it('returns the JSON of a good answer, ignoring a byte-order mark', () => {
    expect(body('\uFEFF[{"a":1}]')).toEqual([{ a: 1 }]);
  });

  it('marks non-JSON bodies as retryable protocol errors', () => {
    const truncated = thrown(() => body(exampleText('get_courses.json').slice(0, 500)));
    expect(truncated).toMatchObject({ kind: 'protocol', retryable: true, permissionProblem: false });
    expect(truncated.message).toContain('not valid JSON');
    const html = thrown(() => body('<!DOCTYPE html><html><head><title>Upgrading</title></head></html>'));
    expect(html).toMatchObject({ kind: 'protocol', retryable: true });
    expect(html.message).toContain('an HTML page ("Upgrading")');
  });

  it.each([500, 502, 503, 504])('reads HTTP %i as a retryable server error', (status) => {
    const error = thrown(() => body('<html><head><title>502 Bad Gateway</title></head></html>', status));
    expect(error).toMatchObject({ kind: 'server-error', retryable: true, permissionProblem: false });
    expect(error.message).toContain(`HTTP ${status} ("502 Bad Gateway")`);
  });

  it('reads HTTP 429 with Retry-After in seconds or as a date', () => {
    const seconds = thrown(() => body('', 429, { 'retry-after': '120' }));
    expect(seconds).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 120_000 });
    const at = new Date(Date.now() + 30_000).toUTCString();
    const dated = thrown(() => body('', 429, { 'Retry-After': at }));
    expect(dated.retryAfterMs).toBeGreaterThan(25_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(thrown(() => body('', 429)).retryAfterMs).toBeUndefined();
  });

  it('reads a redirect as a wrong URL or a login page, and other statuses as a wrong URL or a blocking proxy', () => {
    const moved = thrown(() => body('', 301, { location: 'https://moodle.example.edu/webservice/rest/server.php' }));
    expect(moved).toMatchObject({ kind: 'protocol', retryable: false });
    expect(moved.message).toContain('(HTTP 301) to https://moodle.example.edu/webservice/rest/server.php');
    expect(moved.message).toContain('MOODLE_URL');
    expect(thrown(() => body('', 307)).message).toContain('(HTTP 307) to another address (no Location header)');
    expect(thrown(() => body('Not found', 404)).message).toContain('MOODLE_URL');
  });

  it("reads CLI maintenance mode's 503 as maintenance, by its reason phrase or its page's title", () => {
    const page = '<html><head><title>Demo site under maintenance</title></head></html>';
    const byTitle = thrown(() => body(page, 503));
    expect(byTitle).toMatchObject({ kind: 'maintenance', retryable: true, permissionProblem: false });
    expect(byTitle.message).toContain('HTTP 503 ("Demo site under maintenance"): it is in maintenance mode');
    const byReason = thrown(() =>
      parseMoodleBody(
        { wsfunction: 'core_course_get_contents' },
        { status: 503, statusText: 'Moodle under maintenance', headers: {}, body: '<p>Bientôt de retour</p>' },
      ),
    );
    expect(byReason.kind).toBe('maintenance');
    // Only a 503 says maintenance: a 500 page mentioning it is a server error.
    expect(thrown(() => body(page, 500)).kind).toBe('server-error');
  });
});

describe('MoodleError', () => {
  it('serialises with its message and is recognised without instanceof', () => {
    const error = thrown(() => body(exampleText('error_invalidtoken.json')));
    const copy: unknown = JSON.parse(JSON.stringify(error));
    expect(copy).toMatchObject({
      name: 'MoodleError',
      kind: 'invalid-token',
      message: error.message,
      retryable: false,
    });
    expect(isMoodleError(copy)).toBe(true);
    expect(isMoodleError(new Error('x'))).toBe(false);
    expect(isMoodleError({ name: 'MoodleError', kind: 'no-such-kind' })).toBe(false);
    expect(isMoodleError(null)).toBe(false);
  });

  it('lets only protocol errors choose whether they are retryable', () => {
    expect(new MoodleError({ kind: 'invalid-token', wsfunction: 'f', message: 'm', retryable: true }).retryable).toBe(
      false,
    );
    expect(new MoodleError({ kind: 'protocol', wsfunction: 'f', message: 'm', retryable: true }).retryable).toBe(true);
    expect(new MoodleError({ kind: 'protocol', wsfunction: 'f', message: 'm' }).retryable).toBe(false);
  });
});
