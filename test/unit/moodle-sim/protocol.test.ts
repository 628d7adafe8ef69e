import { request } from 'undici';
import { demoSite, type MoodleSimulator } from '../../../src/moodle-sim';
import { cleanBool, cleanInt } from '../../../src/moodle-sim/protocol/clean-param';
import {
  integer,
  list,
  optional,
  structure,
  text,
  withDefault,
} from '../../../src/moodle-sim/protocol/external-params';
import { phpJsonEncode } from '../../../src/moodle-sim/protocol/php-json';
import { mergeRequestVariables, parsePhpInput, type PhpValue } from '../../../src/moodle-sim/protocol/php-params';
import { call, contents, form, startSim, TOKEN } from './support';

/** Plain objects from decoded PHP arrays, for readable expectations. */
function plain(value: PhpValue): unknown {
  return typeof value === 'string' ? value : Object.fromEntries([...value].map(([key, item]) => [key, plain(item)]));
}

describe('PHP request decoding', () => {
  it('decodes bracket syntax into nested ordered arrays', () => {
    const decoded = parsePhpInput(
      'options%5B0%5D%5Bname%5D=excludecontents&options[0][value]=1&' +
        'options[1][name]=modname&options[1][value]=assign&courseid=101',
    );
    expect(plain(decoded)).toEqual({
      options: { 0: { name: 'excludecontents', value: '1' }, 1: { name: 'modname', value: 'assign' } },
      courseid: '101',
    });
    expect(plain(parsePhpInput('options[ids][0]=5&options[ids][1]=7'))).toEqual({
      options: { ids: { 0: '5', 1: '7' } },
    });
  });

  it('appends with [], replaces repeated names, decodes + and %, and ignores names without a base', () => {
    expect(plain(parsePhpInput('values[]=a&values[]=b&values[5]=c&values[]=d'))).toEqual({
      values: { 0: 'a', 1: 'b', 5: 'c', 6: 'd' },
    });
    expect(plain(parsePhpInput('field=id&field=username&[0]=x&q=a+b%2Fc'))).toEqual({ field: 'username', q: 'a b/c' });
    expect(plain(parsePhpInput('a=1&a[x]=2'))).toEqual({ a: { x: '2' } });
  });

  it('drops variables beyond max_input_vars silently', () => {
    const many = Array.from({ length: 1200 }, (_, index) => `values[${index}]=${index}`).join('&');
    const values = parsePhpInput(many).get('values');
    expect(values instanceof Map && values.size).toBe(1000);
  });

  it('lets the form body replace query-string variables wholesale', () => {
    const merged = mergeRequestVariables(parsePhpInput('courseid=1&options[0][name]=x'), parsePhpInput('courseid=101'));
    expect(plain(merged)).toEqual({ courseid: '101', options: { 0: { name: 'x' } } });
  });
});

describe('parameter validation', () => {
  const params = structure({
    courseid: integer(),
    userid: withDefault(integer(), 0),
    options: optional(structure({ ids: list(integer()) })),
    field: withDefault(text('alpha'), ''),
  });

  it('types values, fills defaults and leaves optional keys out', () => {
    expect(params.parse(parsePhpInput('courseid=-5&options[ids][3]=7&options[ids][1]=8'))).toEqual({
      courseid: -5,
      userid: 0,
      options: { ids: [7, 8] },
      field: '',
    });
    expect(params.parse(parsePhpInput('courseid=0'))).toStrictEqual({ courseid: 0, userid: 0, field: '' });
  });

  it.each(['', '1.0', '+1', '01', ' 1', '1e3', '99999999999999999999'])('rejects %j as an int', (value) => {
    expect(() => integer().parse(value)).toThrow(
      expect.objectContaining({
        exception: 'core\\exception\\invalid_parameter_exception',
        errorcode: 'invalidparameter',
        message: 'Invalid parameter value detected',
        debuginfo: `Invalid external api parameter: the value is "${value}", the server was expecting "int" type`,
      }),
    );
  });

  it('keeps clean_param semantics for option values', () => {
    expect(['1', 'true', 'yes', 'ON', 'x'].map(cleanBool)).toEqual([true, true, true, true, true]);
    expect(['0', '', 'false', 'no', 'off'].map(cleanBool)).toEqual([false, false, false, false, false]);
    expect(['12', ' 7x', 'abc', '-3', '2.9'].map(cleanInt)).toEqual([12, 7, 0, -3, 2]);
  });
});

describe('PHP json_encode', () => {
  it('escapes slashes, control characters and non-ASCII like PHP', () => {
    expect(phpJsonEncode({ a: '</p> "é" –\n\t😀' }, { serializePrecision: -1 })).toBe(
      '{"a":"<\\/p> \\"\\u00e9\\" \\u2013\\n\\t\\ud83d\\ude00"}',
    );
  });

  it('prints floats as PHP: integral floats with .0, precision 17 with its artefacts', () => {
    const floatKeys = new Set(['graderaw', 'weightraw']);
    const value = { graderaw: 78, weightraw: 0.33333, grademax: 100, other: 0.5 };
    expect(phpJsonEncode(value, { serializePrecision: -1, floatKeys })).toBe(
      '{"graderaw":78.0,"weightraw":0.33333,"grademax":100,"other":0.5}',
    );
    expect(phpJsonEncode(value, { serializePrecision: 17, floatKeys })).toBe(
      '{"graderaw":78.0,"weightraw":0.33333000000000002,"grademax":100,"other":0.5}',
    );
  });

  it('omits undefined keys and keeps key order', () => {
    expect(phpJsonEncode({ z: 1, a: undefined, m: [null, true] }, { serializePrecision: -1 })).toBe(
      '{"z":1,"m":[null,true]}',
    );
  });
});

describe('request handling over HTTP', () => {
  let sim: MoodleSimulator;

  beforeAll(async () => {
    sim = await startSim(demoSite());
  });

  afterAll(() => sim.close());

  it('serves GET like POST, query and body merged', async () => {
    const query = form({
      moodlewsrestformat: 'json',
      wsfunction: 'core_course_get_contents',
      wstoken: TOKEN,
      courseid: 101,
    });
    const viaGet = await request(`${sim.url}/webservice/rest/server.php?${query}`);
    expect(JSON.parse(await viaGet.body.text())).toEqual(await contents(sim, 101));
  });

  it('decodes bracketed options sent by a client', async () => {
    const sections = await contents(sim, 101, [
      { name: 'modname', value: 'quiz' },
      { name: 'excludecontents', value: true },
    ]);
    expect(sections.flatMap((section) => section.modules.map((module) => module.id))).toEqual([1005, 1011]);
    const byIds = await call<{ id: number }[]>(sim, 'core_course_get_courses', { options: { ids: [102, 1, 4242] } });
    expect(byIds.map((course) => course.id)).toEqual([1, 102]);
    const users = await call<{ id: number }[]>(sim, 'core_user_get_users_by_field', {
      field: 'idnumber',
      values: ['S1002', 'S1001', 'nobody'],
    });
    expect(users.map((user) => user.id)).toEqual([2001, 2002]);
  });

  it('strips moodlewssetting* variables before validating parameters', async () => {
    const plain = await call<{ id: number }[]>(sim, 'core_course_get_courses');
    expect(plain.map((course) => course.id)).toEqual([1, 101, 102, 103, 104]);
    const withSettings = await call(sim, 'core_course_get_courses', {
      moodlewssettingfilter: 1,
      moodlewssettinglang: 'de',
    });
    expect(withSettings).toEqual(plain);
  });
});
