import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import {
  startMoodleSimulator,
  type MoodleSimulator,
  type MoodleSimulatorOptions,
  type SiteModel,
} from '../../../src/moodle-sim';

export const TOKEN = '0123456789abcdef0123456789abcdef';

/** The hand-written Moodle responses in `test/fixtures/moodle` (see its README.md). */
const EXAMPLES_DIR = path.resolve(__dirname, '../../fixtures/moodle');

export function exampleJson(name: string): unknown {
  if (!existsSync(EXAMPLES_DIR)) {
    throw new Error(`Moodle example responses not found at ${EXAMPLES_DIR}: they belong in test/fixtures/moodle`);
  }
  return JSON.parse(readFileSync(path.join(EXAMPLES_DIR, name), 'utf8')) as unknown;
}

export async function startSim(
  site: SiteModel,
  options: Omit<MoodleSimulatorOptions, 'site' | 'token'> = {},
): Promise<MoodleSimulator> {
  return startMoodleSimulator({ ...options, site, token: TOKEN });
}

/** Waits one event-loop turn at a time until the condition holds, instead of sleeping for a guessed time. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

export type Param = string | number | boolean | readonly Param[] | { readonly [key: string]: Param };

/** PHP bracket encoding, written independently of the project's client. */
export function form(params: Record<string, Param>): string {
  const pairs: string[] = [];
  const add = (key: string, value: Param): void => {
    if (typeof value === 'boolean') pairs.push(`${encodeURIComponent(key)}=${value ? 1 : 0}`);
    else if (typeof value !== 'object') pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    else if (Array.isArray(value)) value.forEach((item: Param, index) => add(`${key}[${index}]`, item));
    else for (const [name, item] of Object.entries(value)) add(`${key}[${name}]`, item);
  };
  for (const [key, value] of Object.entries(params)) add(key, value);
  return pairs.join('&');
}

export interface WsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** POSTs a call the way a careful client does: format and function in the query, token and parameters in the body. */
export async function post(
  sim: MoodleSimulator,
  wsfunction: string,
  params: Record<string, Param> = {},
  options: { token?: string; query?: string; headersTimeout?: number } = {},
): Promise<WsAnswer> {
  const query = options.query ?? `moodlewsrestformat=json&wsfunction=${wsfunction}`;
  const answer = await request(`${sim.url}/webservice/rest/server.php?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ wstoken: options.token ?? TOKEN, ...params }),
    headersTimeout: options.headersTimeout,
  });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

/** The parsed JSON answer of a call that must succeed at the HTTP level. */
export async function call<T = unknown>(
  sim: MoodleSimulator,
  wsfunction: string,
  params: Record<string, Param> = {},
  options: { token?: string } = {},
): Promise<T> {
  const answer = await post(sim, wsfunction, params, options);
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
  return JSON.parse(answer.text) as T;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Every object of `example` has its counterpart in `actual` with the same key
 * set, and every value the same JSON type. Array elements with an `id` (or
 * `userid`) are matched by it and must exist; other elements are compared by
 * position, against the last element when `actual` is shorter (lists of
 * records of one kind, such as the service's functions).
 * Returns the differences, empty when the shapes agree.
 */
export function shapeDifferences(actual: unknown, example: unknown, at = '$'): string[] {
  if (jsonType(actual) !== jsonType(example)) return [`${at}: ${jsonType(actual)} instead of ${jsonType(example)}`];
  if (Array.isArray(example) && Array.isArray(actual)) {
    return example.flatMap((item: unknown, index) => {
      const id = idOf(item);
      const counterpart =
        id === undefined
          ? (actual[index] ?? actual[actual.length - 1])
          : actual.find((candidate) => idOf(candidate) === id);
      if (counterpart === undefined) return [`${at}[${id ?? index}]: missing`];
      return shapeDifferences(counterpart, item, `${at}[${id ?? index}]`);
    });
  }
  if (isObject(example) && isObject(actual)) {
    const expectedKeys = Object.keys(example).sort();
    const actualKeys = Object.keys(actual).sort();
    const keyProblems =
      expectedKeys.join() === actualKeys.join()
        ? []
        : [`${at}: keys [${actualKeys.join(', ')}] instead of [${expectedKeys.join(', ')}]`];
    return [
      ...keyProblems,
      ...expectedKeys
        .filter((key) => key in actual)
        .flatMap((key) => shapeDifferences(actual[key], example[key], `${at}.${key}`)),
    ];
  }
  return [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return jsonType(value) === 'object';
}

function idOf(value: unknown): unknown {
  if (!isObject(value)) return undefined;
  return value.id ?? value.userid;
}

export interface GradeRow {
  id: number;
  itemname: string | null;
  itemtype: string;
  itemmodule: string | null;
  iteminstance: number | null;
  itemnumber: number | null;
  cmid?: number;
  categoryid: number | null;
  weightraw?: number;
  status?: string;
  graderaw?: number | null;
  gradedategraded?: number | null;
  gradeishidden?: boolean;
  gradeisoverridden?: boolean;
  gradeformatted?: string;
  grademin: number;
  grademax: number;
  rangeformatted: string;
  percentageformatted: string;
  lettergradeformatted: string;
  feedback: string;
  feedbackformat: number;
}

export interface UserGrades {
  courseid: number;
  userid: number;
  userfullname: string;
  useridnumber: string;
  maxdepth: number;
  gradeitems: GradeRow[];
}

export interface GradeReport {
  usergrades: UserGrades[];
  warnings: unknown[];
}

export interface SectionJson {
  id: number;
  name: string;
  visible: number;
  section: number;
  summary: string;
  modules: ModuleJson[];
}

export interface ModuleJson {
  id: number;
  name: string;
  modname: string;
  instance: number;
  visible: number;
  uservisible: boolean;
  visibleoncoursepage: number;
  url?: string;
  description?: string;
  contents?: unknown[];
  contentsinfo?: unknown;
}

export interface MoodleErrorJson {
  exception: string;
  errorcode: string;
  message: string;
  debuginfo?: string;
}

export const gradeReport = (sim: MoodleSimulator, courseid: number, userid = 0) =>
  call<GradeReport>(sim, 'gradereport_user_get_grade_items', { courseid, userid });

export const contents = (sim: MoodleSimulator, courseid: number, options: { name: string; value: Param }[] = []) =>
  call<SectionJson[]>(sim, 'core_course_get_contents', { courseid, options });

export function rowsOf(report: GradeReport, userid: number): GradeRow[] {
  const entry = report.usergrades.find((user) => user.userid === userid);
  if (!entry) throw new Error(`user ${userid} is not in the report`);
  return entry.gradeitems;
}
