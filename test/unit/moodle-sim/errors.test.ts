import { request } from 'undici';
import { demoSite, type MoodleSimulator } from '../../../src/moodle-sim';
import { call, exampleJson, post, startSim, TOKEN, type MoodleErrorJson } from './support';

/** Every Moodle-level error the simulator produces, in the exact form of the example error files. */
describe('error replies', () => {
  let sim: MoodleSimulator;

  beforeEach(async () => {
    sim = await startSim(demoSite());
  });

  afterEach(() => sim.close());

  const errorOf = async (wsfunction: string, params = {}, options = {}) => {
    const answer = await post(sim, wsfunction, params, options);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    return JSON.parse(answer.text) as MoodleErrorJson;
  };

  describe('token, site and service', () => {
    it('answers invalidtoken for an unknown token, and for the right token after revokeToken()', async () => {
      expect(await errorOf('core_webservice_get_site_info', {}, { token: 'wrong' })).toEqual(
        exampleJson('error_invalidtoken.json'),
      );
      sim.site.revokeToken();
      expect(await errorOf('core_course_get_courses')).toEqual(exampleJson('error_invalidtoken.json'));
      sim.site.restoreToken();
      expect(await call(sim, 'core_course_get_courses')).toEqual(expect.any(Array));
    });

    it('answers an empty HTTP 200 body when web services are off, before even looking at the token', async () => {
      sim.site.setWebServicesEnabled(false);
      const answer = await post(sim, 'core_webservice_get_site_info', {}, { token: 'wrong' });
      expect(answer).toMatchObject({ status: 200, text: '' });
      sim.site.setWebServicesEnabled(true);
      expect((await post(sim, 'core_webservice_get_site_info')).text).not.toBe('');
    });

    it('answers sitemaintenance in maintenance mode, but checks the token first', async () => {
      sim.faults.set({ maintenance: true });
      expect(await errorOf('core_course_get_courses')).toEqual(exampleJson('error_sitemaintenance.json'));
      expect((await errorOf('core_course_get_courses', {}, { token: 'wrong' })).errorcode).toBe('invalidtoken');
    });

    it('answers invalidrecord on external_functions for a function the site does not have', async () => {
      expect(await errorOf('core_course_get_cuorses')).toEqual(
        exampleJson('error_invalidrecord_unknown_function.json'),
      );
      expect(await errorOf('', {}, { query: 'moodlewsrestformat=json' })).toEqual(
        exampleJson('error_invalidrecord_unknown_function.json'),
      );
    });

    it(
      'answers accessexception (with the debug text) after removeFunction, ' + 'and site info stops listing it',
      async () => {
        sim.site.removeFunction('gradereport_user_get_grade_items');
        expect(await errorOf('gradereport_user_get_grade_items', { courseid: 101 })).toEqual(
          exampleJson('error_accessexception_debug.json'),
        );
        const info = await call<{ functions: { name: string }[] }>(sim, 'core_webservice_get_site_info');
        expect(info.functions.map((fn) => fn.name)).not.toContain('gradereport_user_get_grade_items');
        sim.site.setDebugging(false);
        expect(await errorOf('gradereport_user_get_grade_items', { courseid: 101 })).toEqual(
          exampleJson('error_accessexception.json'),
        );
        sim.site.addFunction('gradereport_user_get_grade_items');
        expect(await call(sim, 'gradereport_user_get_grade_items', { courseid: 101 })).toHaveProperty('usergrades');
      },
    );

    it('refuses to add a function the simulator does not implement', () => {
      expect(() => sim.site.addFunction('core_course_get_courses_by_field')).toThrow(/does not implement/);
    });
  });

  describe('parameters', () => {
    it('answers invalidparameter naming the parameter and the expected type', async () => {
      expect(await errorOf('core_course_get_contents', { courseid: 'ENG201' })).toEqual(
        exampleJson('error_invalidparameter.json'),
      );
    });

    it.each([
      [{}, 'Missing required key in single structure: courseid'],
      [{ courseid: 101, colour: 'red' }, 'Unexpected keys (colour) detected in parameter array.'],
      [
        { courseid: [101] },
        'courseid => Invalid parameter value detected: Scalar type expected, array or object received.',
      ],
      [
        { courseid: '0101' },
        'courseid => Invalid parameter value detected: Invalid external api parameter: ' +
          'the value is "0101", the server was expecting "int" type',
      ],
      [
        { courseid: 101, options: 'excludecontents' },
        "options => Invalid parameter value detected: Only arrays accepted. The bad value is: 'excludecontents'",
      ],
      [
        { courseid: 101, options: [{ name: 'exclude-contents', value: 1 }] },
        'options => Invalid parameter value detected: name => Invalid parameter value detected: ' +
          'Invalid external api parameter: ' +
          'the value is "exclude-contents", the server was expecting "alphanum" type',
      ],
      [
        { courseid: 101, options: [{ name: 'excludecontents' }] },
        'options => Invalid parameter value detected: Missing required key in single structure: value',
      ],
    ])('core_course_get_contents %j → %s', async (params, debuginfo) => {
      expect(await errorOf('core_course_get_contents', params)).toEqual({
        exception: 'core\\exception\\invalid_parameter_exception',
        errorcode: 'invalidparameter',
        message: 'Invalid parameter value detected',
        debuginfo,
      });
    });

    it('answers errorinvalidparam for an unknown get_contents option, before looking up the course', async () => {
      expect(
        await errorOf('core_course_get_contents', { courseid: 999, options: [{ name: 'includehidden', value: 1 }] }),
      ).toEqual({
        exception: 'core\\exception\\moodle_exception',
        errorcode: 'errorinvalidparam',
        message: 'The param "includehidden" is invalid.',
      });
    });

    it('answers codingerror for a user field Moodle cannot search', async () => {
      expect(await errorOf('core_user_get_users_by_field', { field: 'lastname', values: ['Martin'] })).toEqual({
        exception: 'core\\exception\\coding_exception',
        errorcode: 'codingerror',
        message: 'Coding error detected, it must be fixed by a programmer: invalid field parameter',
        debuginfo: "The search field 'lastname' is not supported, look at the web service documentation",
      });
    });

    it('answers invalidparameter for a sortby value get_enrolled_users does not know', async () => {
      const error = await errorOf('core_enrol_get_enrolled_users', {
        courseid: 101,
        options: [{ name: 'sortby', value: 'email' }],
      });
      expect(error.errorcode).toBe('invalidparameter');
      expect(error.debuginfo).toMatch(/sortby parameter \(value: email\)/);
    });
  });

  describe('courses and users that are gone', () => {
    it(
      'answers invalidrecord on table course for per-course calls on a deleted course; ' + 'get_courses just drops it',
      async () => {
        sim.site.deleteCourse(101);
        for (const wsfunction of [
          'core_course_get_contents',
          'gradereport_user_get_grade_items',
          'core_enrol_get_enrolled_users',
        ]) {
          expect(await errorOf(wsfunction, { courseid: 101 })).toEqual(exampleJson('error_invalidrecord_course.json'));
        }
        const listed = await call<{ id: number }[]>(sim, 'core_course_get_courses', { options: { ids: [101, 102] } });
        expect(listed.map((course) => course.id)).toEqual([102]);
        expect((await call<{ id: number }[]>(sim, 'core_course_get_courses')).map((course) => course.id)).not.toContain(
          101,
        );
      },
    );

    it('answers invalidrecord on table course for an id that never existed', async () => {
      expect(await errorOf('core_course_get_contents', { courseid: 4242 })).toEqual(
        exampleJson('error_invalidrecord_course.json'),
      );
    });

    it('answers invalidrecord on table user for a grade report of a user who does not exist', async () => {
      expect(await errorOf('gradereport_user_get_grade_items', { courseid: 101, userid: 999999 })).toEqual({
        exception: 'dml_missing_record_exception',
        errorcode: 'invalidrecord',
        message: 'Can not find data record in database table user.',
      });
    });
  });

  describe('course access', () => {
    it('fails a whole get_courses call when one course cannot be entered', async () => {
      sim.site.denyCourseAccess(102);
      expect(await errorOf('core_course_get_courses')).toEqual(exampleJson('error_errorcoursecontextnotvalid.json'));
      expect(await errorOf('core_course_get_courses', { options: { ids: [101, 102] } })).toEqual(
        exampleJson('error_errorcoursecontextnotvalid.json'),
      );
      expect(await call(sim, 'core_course_get_courses', { options: { ids: [101] } })).toHaveLength(1);
    });

    it(
      'answers errorcoursecontextnotvalid from get_contents and get_enrolled_users, ' +
        'requireloginerror from the grade report',
      async () => {
        sim.site.denyCourseAccess(101);
        const notValid = {
          exception: 'core\\exception\\moodle_exception',
          errorcode: 'errorcoursecontextnotvalid',
          message:
            'You cannot execute functions in the course context (course id:101). ' +
            'The context error message was: Course or activity not accessible.',
        };
        expect(await errorOf('core_course_get_contents', { courseid: 101 })).toEqual(notValid);
        expect(await errorOf('core_enrol_get_enrolled_users', { courseid: 101 })).toEqual(notValid);
        expect(await errorOf('gradereport_user_get_grade_items', { courseid: 101 })).toEqual({
          ...(exampleJson('error_requireloginerror.json') as object),
          debuginfo: 'Not enrolled',
        });
        sim.site.allowCourseAccess(101);
        expect(await call(sim, 'core_course_get_contents', { courseid: 101 })).toHaveLength(4);
      },
    );

    it('answers requireloginerror "Course is hidden" for a hidden course once viewhiddencourses is gone', async () => {
      sim.site.removeCapability('moodle/course:viewhiddencourses');
      expect(await errorOf('gradereport_user_get_grade_items', { courseid: 102 })).toEqual(
        exampleJson('error_requireloginerror.json'),
      );
      expect((await errorOf('core_course_get_courses')).errorcode).toBe('errorcoursecontextnotvalid');
      expect(await call(sim, 'core_course_get_contents', { courseid: 101 })).toHaveLength(4);
    });

    it('answers nopermissiontoviewgrades where the grades of others are off limits', async () => {
      sim.site.denyCourseAccess(101, 'nogradeaccess');
      expect(await errorOf('gradereport_user_get_grade_items', { courseid: 101, userid: 2001 })).toEqual(
        exampleJson('error_nopermissiontoviewgrades.json'),
      );
      expect(await call(sim, 'core_course_get_contents', { courseid: 101 })).toHaveLength(4);
    });

    it('answers nopermissions, naming the capability, for userid=0 without moodle/grade:viewall', async () => {
      sim.site.removeCapability('moodle/grade:viewall');
      expect(await errorOf('gradereport_user_get_grade_items', { courseid: 101 })).toEqual({
        exception: 'core\\exception\\required_capability_exception',
        errorcode: 'nopermissions',
        message: 'Sorry, but you do not currently have permissions to do that (View grades of other users).',
      });
    });

    it('answers nopermissions for participants without moodle/course:viewparticipants', async () => {
      sim.site.removeCapability('moodle/course:viewparticipants');
      expect((await errorOf('core_enrol_get_enrolled_users', { courseid: 101 })).message).toBe(
        'Sorry, but you do not currently have permissions to do that (View participants).',
      );
    });

    it('rejects capabilities it does not model', () => {
      // @ts-expect-error -- a typo in a test must not silently do nothing
      expect(() => sim.site.removeCapability('moodle/grade:viewal')).toThrow(/not modelled/);
    });
  });

  describe('HTTP level', () => {
    it('answers XML without moodlewsrestformat=json, errors included', async () => {
      const answer = await post(
        sim,
        'core_course_get_courses',
        {},
        { token: 'wrong', query: 'wsfunction=core_course_get_courses' },
      );
      expect(answer.headers['content-type']).toBe('application/xml; charset=utf-8');
      expect(answer.text).toBe(
        '<?xml version="1.0" encoding="UTF-8" ?>\n<EXCEPTION class="core\\exception\\moodle_exception">\n' +
          '<ERRORCODE>invalidtoken</ERRORCODE>\n<MESSAGE>Invalid token - token not found</MESSAGE>\n</EXCEPTION>\n',
      );
      const courses = await post(
        sim,
        'core_course_get_courses',
        { options: { ids: [101] } },
        { query: 'wsfunction=core_course_get_courses' },
      );
      const xmlStart = new RegExp(
        String.raw`^<\?xml version="1.0" encoding="UTF-8" \?>\n` +
          String.raw`<RESPONSE>\n<MULTIPLE>\n<SINGLE>\n<KEY name="id"><VALUE>101<\/VALUE>\n`,
      );
      expect(courses.text).toMatch(xmlStart);
    });

    it('answers 404 HTML for other paths', async () => {
      const answer = await request(`${sim.url}/login/token.php`);
      expect(answer.statusCode).toBe(404);
      expect(answer.headers['content-type']).toMatch(/^text\/html/);
      expect(await answer.body.text()).toContain('404 Not Found');
    });

    it('ignores a JSON request body, as PHP does, so the token is missing', async () => {
      const answer = await request(
        `${sim.url}/webservice/rest/server.php?moodlewsrestformat=json&wsfunction=core_course_get_courses`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ wstoken: TOKEN }),
        },
      );
      expect(JSON.parse(await answer.body.text())).toMatchObject({ errorcode: 'invalidtoken' });
    });
  });
});
