import fc from 'fast-check';
import { z } from 'zod';
import {
  isMoodleError,
  MoodleError,
  parseCourseContents,
  parseCourses,
  parseGradeItems,
  parseMoodleBody,
  parseSiteInfo,
  parseUsers,
} from '../../../src/moodle';
import { exampleText } from './support/examples';

/**
 * Every body, however broken, must end in one of two ways: a complete,
 * well-typed result, or a MoodleError (`protocol`, or the kind a genuine
 * Moodle error body / empty body stands for). The output schemas below are
 * written from `types.ts`, independently of the parsers' schemas.
 */

const RUNS = 300;

const int = z.int();
const nullableInt = int.nullable();
const maybe = <T extends z.ZodType>(schema: T) => schema.optional();

const siteInfoOut = z.strictObject({
  siteName: z.string(),
  siteUrl: z.string(),
  userId: int,
  username: z.string(),
  functions: z.array(z.string()),
  release: maybe(z.string()),
  version: maybe(z.string()),
  siteId: int,
});

const coursesOut = z.array(
  z.strictObject({
    id: int,
    shortName: z.string(),
    fullName: z.string(),
    displayName: z.string(),
    categoryId: int,
    format: z.string(),
    idNumber: maybe(z.string()),
    visible: maybe(z.boolean()),
    startDate: int,
    endDate: int,
    timeModified: maybe(int),
  }),
);

const contentsOut = z.array(
  z.strictObject({
    id: int,
    name: z.string(),
    section: int,
    visible: z.boolean(),
    modules: z.array(
      z.strictObject({
        id: int,
        name: z.string(),
        modName: z.string(),
        instance: int,
        visible: z.boolean(),
        visibleOnCoursePage: z.boolean(),
        userVisible: z.boolean(),
      }),
    ),
  }),
);

const gradesOut = z.array(
  z.strictObject({
    courseId: int,
    userId: int,
    userFullName: z.string(),
    userIdNumber: maybe(z.string()),
    gradeItems: z.array(
      z.strictObject({
        id: int,
        itemName: z.string().nullable(),
        itemType: z.string(),
        itemModule: z.string().nullable(),
        itemInstance: nullableInt,
        itemNumber: nullableInt,
        idNumber: z.string().nullable(),
        categoryId: nullableInt,
        cmid: maybe(int),
        weightRaw: maybe(z.number()),
        weightFormatted: maybe(z.string()),
        status: maybe(z.string()),
        gradeRaw: maybe(z.number().nullable()),
        gradeDateSubmitted: maybe(nullableInt),
        gradeDateGraded: maybe(nullableInt),
        gradeIsHidden: maybe(z.boolean()),
        gradeIsOverridden: maybe(z.boolean().nullable()),
        gradeFormatted: maybe(z.string()),
        gradeMin: maybe(z.number()),
        gradeMax: maybe(z.number()),
        rangeFormatted: maybe(z.string()),
        percentageFormatted: maybe(z.string()),
        letterGradeFormatted: maybe(z.string()),
        feedback: maybe(z.string()),
        feedbackFormat: maybe(int),
      }),
    ),
  }),
);

const usersOut = z.array(
  z.strictObject({
    id: int,
    username: maybe(z.string()),
    firstName: maybe(z.string()),
    lastName: maybe(z.string()),
    fullName: z.string(),
    email: maybe(z.string()),
    idNumber: maybe(z.string()),
    roles: maybe(z.array(z.string())),
  }),
);

type Json = unknown;
const list = (value: Json): Json[] => (Array.isArray(value) ? value : []);
const field = (value: Json, key: string): Json =>
  typeof value === 'object' && value !== null ? (value as Record<string, Json>)[key] : undefined;

interface Target {
  wsfunction: string;
  example: string;
  parse: (json: unknown) => unknown;
  output: z.ZodType;
  /** How many records the input holds and the output must still hold: nothing may be dropped. */
  inputSize: (json: Json) => number[];
  outputSize: (result: Json) => number[];
  /** Required fields, as paths with `*` for array indexes. */
  requiredFields: string[];
}

const TARGETS: Target[] = [
  {
    wsfunction: 'core_webservice_get_site_info',
    example: 'site_info.json',
    requiredFields: ['userid', 'sitename', 'functions.*.name'],
    parse: parseSiteInfo,
    output: siteInfoOut,
    inputSize: (json) => [list(field(json, 'functions')).length],
    outputSize: (result) => [list(field(result, 'functions')).length],
  },
  {
    wsfunction: 'core_course_get_courses',
    example: 'get_courses.json',
    requiredFields: ['*.id', '*.shortname', '*.startdate'],
    parse: parseCourses,
    output: coursesOut,
    inputSize: (json) => [list(json).length],
    outputSize: (result) => [list(result).length],
  },
  {
    wsfunction: 'core_course_get_contents',
    example: 'get_contents.json',
    requiredFields: ['*.id', '*.modules.*.id', '*.modules.*.instance'],
    parse: parseCourseContents,
    output: contentsOut,
    inputSize: (json) => list(json).map((section) => list(field(section, 'modules')).length),
    outputSize: (result) => list(result).map((section) => list(field(section, 'modules')).length),
  },
  {
    wsfunction: 'gradereport_user_get_grade_items',
    example: 'grade_items.json',
    requiredFields: ['usergrades.*.userid', 'usergrades.*.gradeitems.*.id', 'usergrades.*.gradeitems.*.itemtype'],
    parse: parseGradeItems,
    output: gradesOut,
    inputSize: (json) => list(field(json, 'usergrades')).map((user) => list(field(user, 'gradeitems')).length),
    outputSize: (result) => list(result).map((user) => list(field(user, 'gradeItems')).length),
  },
  {
    wsfunction: 'core_enrol_get_enrolled_users',
    example: 'enrolled_users.json',
    requiredFields: ['*.id', '*.fullname', '*.roles.*.shortname'],
    parse: parseUsers,
    output: usersOut,
    inputSize: (json) => list(json).map((user) => list(field(user, 'roles')).length),
    outputSize: (result) => list(result).map((user) => list(field(user, 'roles')).length),
  },
];

function hasUndefinedValue(value: Json): boolean {
  if (Array.isArray(value)) return value.some(hasUndefinedValue);
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((entry) => entry === undefined || hasUndefinedValue(entry));
}

function looksLikeMoodleErrorBody(text: string): boolean {
  try {
    const json: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return (
      typeof json === 'object' && json !== null && !Array.isArray(json) && ('exception' in json || 'errorcode' in json)
    );
  } catch {
    return false;
  }
}

/** The oracle: a full, well-typed result, or a MoodleError of the right kind. */
function checkBody(target: Target, text: string): void {
  let result: unknown;
  try {
    result = target.parse(parseMoodleBody({ wsfunction: target.wsfunction }, { status: 200, headers: {}, body: text }));
  } catch (error) {
    if (!isMoodleError(error)) throw new Error(`not a MoodleError: ${String(error)}`);
    expect(error).toBeInstanceOf(MoodleError);
    expect(error.wsfunction).toBe(target.wsfunction);
    if (error.kind === 'protocol') return;
    if (error.kind === 'webservices-disabled') {
      expect(text.replace(/^\uFEFF/, '').trim()).toBe('');
      return;
    }
    expect(looksLikeMoodleErrorBody(text)).toBe(true);
    return;
  }
  target.output.parse(result);
  expect(hasUndefinedValue(result)).toBe(false);
  expect(target.outputSize(result)).toEqual(target.inputSize(JSON.parse(text.replace(/^\uFEFF/, ''))));
}

type Path = (string | number)[];

function allPaths(value: Json, prefix: Path = []): Path[] {
  const children: Path[] = Array.isArray(value)
    ? value.flatMap((item, index) => allPaths(item, [...prefix, index]))
    : typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, item]) => allPaths(item, [...prefix, key]))
      : [];
  return [prefix, ...children];
}

const DELETE = Symbol('delete');

/** Replaces (or deletes) the value at `path` in a deep copy. */
function mutate(root: Json, path: Path, replacement: Json | typeof DELETE): Json {
  if (path.length === 0) return replacement === DELETE ? undefined : replacement;
  const copy: Json = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (replacement !== DELETE) parent[last] = replacement;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

const wrongValue = fc.oneof(
  fc.constant<typeof DELETE>(DELETE),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string(),
  fc.constantFrom('1', '', '<b>html</b>', '78,00'),
  fc.constant([]),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 2 }),
);

const garbage = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '{}',
    '[]',
    '\uFEFF',
    '<!DOCTYPE html><html><body>Bad gateway</body></html>',
    '<?xml version="1.0" encoding="UTF-8" ?><RESPONSE></RESPONSE>',
    '<br />\n<b>Notice</b>: Undefined index in /var/www/moodle/lib.php on line 3<br />\n[]',
  ),
  fc.json(),
);

describe.each(TARGETS)('$wsfunction under malformed bodies', (target) => {
  const text = exampleText(target.example);
  const json: Json = JSON.parse(text);
  const paths = allPaths(json);

  it('parses the untouched example fully', () => {
    checkBody(target, text);
    checkBody(target, JSON.stringify(json));
  });

  it('survives truncation at any offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), (cut) => checkBody(target, text.slice(0, cut))),
      { numRuns: RUNS },
    );
  });

  it('survives wrongly typed, nulled and deleted values at any path', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: paths.length - 1 }), wrongValue, (index, replacement) => {
        const mutated = mutate(json, paths[index] ?? [], replacement);
        checkBody(target, mutated === undefined ? '' : JSON.stringify(mutated));
      }),
      { numRuns: RUNS },
    );
  });

  it('survives garbage, HTML and unrelated JSON', () => {
    fc.assert(
      fc.property(garbage, (body) => checkBody(target, body)),
      { numRuns: RUNS },
    );
  });

  it('rejects a wrongly typed required field as a non-retryable protocol error', () => {
    const pattern = (path: Path) => path.map((key) => (typeof key === 'number' ? '*' : key)).join('.');
    const required = paths.filter((path) => target.requiredFields.includes(pattern(path)));
    expect(new Set(required.map(pattern))).toEqual(new Set(target.requiredFields));
    fc.assert(
      fc.property(fc.constantFrom(...required), fc.constantFrom<Json>(null, true, 1.5, {}, []), (path, replacement) => {
        const mutated = JSON.stringify(mutate(json, path, replacement));
        let error: unknown;
        try {
          target.parse(parseMoodleBody({ wsfunction: target.wsfunction }, { status: 200, headers: {}, body: mutated }));
        } catch (caught) {
          error = caught;
        }
        expect(isMoodleError(error) && error.kind === 'protocol' && error.retryable === false).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
