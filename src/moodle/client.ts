import { Pool } from 'undici';
import type { Secret } from '../secret';
import {
  deadlineError,
  errorFromTransport,
  responseTooLargeError,
  type MoodleCall,
  type ResponseHeaders,
} from './classify';
import { encodeParams, type MoodleParams } from './encode';
import { isMoodleError, type MoodleErrorKind } from './errors';
import { MOODLE_FUNCTIONS, type MoodleFunction } from './functions';
import { GradeReportCallbackError, readGradeReport } from './grade-report-stream';
import { MAX_RESPONSE_BYTES } from './limits';
import {
  parseCourseContents,
  parseCourses,
  parseGradeItems,
  parseMoodleBody,
  parseSiteInfo,
  parseUsers,
  type MoodleResponse,
} from './parse';
import { assertFunctionsAllowed, REQUIRED_FUNCTIONS } from './preflight';
import type { CourseSection, MoodleCourse, MoodleUser, SiteInfo, UserGrades } from '../domain/moodle-data';

/** The ways an admin can name a student when looking them up in Moodle. */
export type UserLookupField = 'id' | 'idnumber' | 'username' | 'email';

/** One call as an observer sees it: what, how long, and how it failed; never its parameters or the site. */
export interface MoodleCallObservation {
  wsfunction: MoodleFunction;
  durationMs: number;
  /** Absent when the call succeeded. */
  errorKind?: MoodleErrorKind;
}

export interface MoodleClientOptions {
  /** The site's wwwroot; may contain a path. */
  url: string;
  token: Secret;
  /** Deadline of an ordinary call's whole answer, headers and body (MOODLE_TIMEOUT). */
  timeoutMs: number;
  /** Grade reports are built per user × item on the server and take minutes on big courses (docs/moodle.md §10). */
  gradeTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Lower limits on the size of answers, by function, than MAX_RESPONSE_BYTES (limits.ts). */
  maxResponseBytes?: Partial<Record<MoodleFunction, number>>;
  /** Bound on concurrent requests to the site (MOODLE_MAX_CONNECTIONS). */
  maxConnections: number;
  /** Told of every call once it has succeeded or failed (metrics); must not throw. */
  onCall?: (call: MoodleCallObservation) => void;
}

export interface MoodleCallCounts {
  byFunction(): Record<string, number>;
  total(): number;
}

/** The calls of a client; a scoped session makes them through the client's connections. */
export interface MoodleSession {
  getSiteInfo(): Promise<SiteInfo>;
  /** Site info, after checking that the token's service allows every function in `required`. */
  preflight(required?: readonly string[]): Promise<SiteInfo>;
  /** Every course including the front page; the caller excludes it (id = siteId). */
  getCourses(): Promise<MoodleCourse[]>;
  getCourseContents(courseId: number): Promise<CourseSection[]>;
  /** `userId` 0 (the default) reports every graded user of the course. */
  getGradeItems(courseId: number, userId?: number): Promise<UserGrades[]>;
  /**
   * Every graded user of the course, handed to `onUser` one at a time as the report arrives (the next
   * waits for a promise it returns), so that a gradebook of any size needs the memory of one user's
   * grades; resolves with how many users it had.
   */
  readGradeReport(courseId: number, onUser: (grades: UserGrades) => void | Promise<void>): Promise<number>;
  getEnrolledUsers(courseId: number): Promise<MoodleUser[]>;
  getUsersByField(field: UserLookupField, values: readonly string[]): Promise<MoodleUser[]>;
  /** Calls made through this object, failed ones included (for sync-run records). */
  readonly calls: MoodleCallCounts;
}

export interface MoodleClient extends MoodleSession {
  /**
   * A session with its own call counts (one per activity run) that shares
   * this client's connections and bound; its calls count here too. Its
   * calls stop at once when `signal` aborts (an activity cancelled, a worker
   * shutting down), with the signal's reason as their error.
   */
  scoped(signal?: AbortSignal): MoodleSession;
  close(): Promise<void>;
}

const DEFAULT_GRADE_TIMEOUT_MS = 300_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** PHP's max_input_vars silently truncates long lists (docs/moodle.md §1.2, §7.2). */
const USER_LOOKUP_BATCH = 100;

/**
 * One keep-alive connection pool per client; `connections` bounds the
 * requests in flight because undici does not pipeline by default. The client
 * never retries: Temporal's activity retries decide that from the error.
 * Redirects are never followed (undici's default): the token is in the body.
 */
export function createMoodleClient(options: MoodleClientOptions): MoodleClient {
  const site = new URL(options.url);
  const basePath = site.pathname.replace(/\/+$/, '');
  const siteLabel = `${site.origin}${basePath}`;
  const { timeoutMs } = options;
  const maxResponseBytes = { ...MAX_RESPONSE_BYTES, ...options.maxResponseBytes };
  const pool = new Pool(site.origin, {
    connections: options.maxConnections,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // undici's body timeout restarts at every chunk, so a body trickling in never meets it:
    // each call has one deadline for its whole answer instead (`send`).
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const scrub = (text: string) => options.token.scrub(text);

  async function send(wsfunction: MoodleFunction, params: MoodleParams, extra: CallExtra): Promise<unknown> {
    const context: MoodleCall = { wsfunction, courseId: extra.courseId, scrub };
    // The token goes in the body only: query strings end up in access logs.
    const form = encodeParams({ wstoken: options.token.reveal(), ...params });
    const query = new URLSearchParams({ moodlewsrestformat: 'json', wsfunction });
    const deadlineMs = extra.timeoutMs ?? timeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), deadlineMs);
    const signal = extra.signal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, extra.signal]);
    let response: MoodleResponse;
    try {
      const answer = await pool.request({
        method: 'POST',
        path: `${basePath}/webservice/rest/server.php?${query}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal,
      });
      const { statusCode: status, statusText, headers } = answer;
      if (extra.readUsers !== undefined && status >= 200 && status < 300) {
        const onUser = extra.readUsers;
        const limit = maxResponseBytes[wsfunction];
        return await readGradeReport(context, { status, statusText, headers, body: answer.body }, limit, onUser);
      }
      const body = await readBody(answer.body, headers, maxResponseBytes[wsfunction], context);
      response = { status, statusText, headers, body };
    } catch (error) {
      if (error instanceof GradeReportCallbackError) throw error.original;
      // An answer cut short by the deadline or a cancellation may look like any other failure.
      if (extra.signal?.aborted) throw abortReason(extra.signal);
      if (deadline.signal.aborted) throw deadlineError(context, siteLabel, deadlineMs);
      if (isMoodleError(error)) throw error;
      throw errorFromTransport(context, error, siteLabel);
    } finally {
      clearTimeout(timer);
    }
    return parseMoodleBody(context, response);
  }

  const clientCounts = new CallCounter();
  const gradeTimeoutMs = options.gradeTimeoutMs ?? DEFAULT_GRADE_TIMEOUT_MS;
  const observe = options.onCall ?? (() => {});
  return {
    ...createSession({ send, observe, gradeTimeoutMs, counts: clientCounts }),
    scoped: (signal) =>
      createSession({ send, observe, gradeTimeoutMs, counts: new CallCounter(), clientCounts, signal }),
    close: () => pool.close(),
  };
}

/**
 * The body as text, read no further than `limitBytes`: an announced length above it is refused before
 * reading, and a body that grows past it is cut off (which closes its connection).
 */
async function readBody(
  body: AsyncIterable<Buffer> & { destroy(): void },
  headers: ResponseHeaders,
  limitBytes: number,
  call: MoodleCall,
): Promise<string> {
  const announced = Number(headers['content-length']);
  if (announced > limitBytes) {
    body.destroy();
    throw responseTooLargeError(call, limitBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    // Leaving the loop by throwing destroys the body.
    if (size > limitBytes) throw responseTooLargeError(call, limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** What an aborted session's calls throw: the reason its owner gave, as it gave it. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new Error('the Moodle call was cancelled');
}

interface CallExtra {
  courseId?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Reads a successful grade report a user at a time, handing each to this (`readGradeReport`). */
  readUsers?: (grades: UserGrades) => void | Promise<void>;
}

type Send = (wsfunction: MoodleFunction, params: MoodleParams, extra: CallExtra) => Promise<unknown>;

interface SessionParts {
  send: Send;
  observe: (call: MoodleCallObservation) => void;
  gradeTimeoutMs: number;
  counts: CallCounter;
  /** The client's counts, which a scoped session's calls add to. */
  clientCounts?: CallCounter;
  signal?: AbortSignal;
}

class CallCounter implements MoodleCallCounts {
  readonly #counts = new Map<string, number>();

  record(wsfunction: string): void {
    this.#counts.set(wsfunction, (this.#counts.get(wsfunction) ?? 0) + 1);
  }

  byFunction(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  total(): number {
    return [...this.#counts.values()].reduce((sum, count) => sum + count, 0);
  }
}

/**
 * The typed calls, counted in the session's own `counts` and in the client's. A call is observed once
 * its answer is parsed: an answer of the wrong shape is a failed call (`protocol`) too.
 */
function createSession({ send, observe, gradeTimeoutMs, counts, clientCounts, signal }: SessionParts): MoodleSession {
  async function call<T>(
    wsfunction: MoodleFunction,
    params: MoodleParams,
    parse: (json: unknown) => T,
    extra: CallExtra = {},
  ): Promise<T> {
    counts.record(wsfunction);
    clientCounts?.record(wsfunction);
    const started = performance.now();
    const observed = (errorKind?: MoodleErrorKind) =>
      observe({ wsfunction, durationMs: performance.now() - started, ...(errorKind && { errorKind }) });
    try {
      const result = parse(await send(wsfunction, params, { ...extra, signal }));
      observed();
      return result;
    } catch (error) {
      // Everything the client throws is a MoodleError; anything else would be a bug, counted as unclassified.
      observed(isMoodleError(error) ? error.kind : 'moodle-error');
      throw error;
    }
  }

  const getSiteInfo = () => call(MOODLE_FUNCTIONS.siteInfo, {}, parseSiteInfo);

  async function getUsersByField(field: UserLookupField, values: readonly string[]): Promise<MoodleUser[]> {
    const batches: (readonly string[])[] = [];
    for (let start = 0; start < values.length; start += USER_LOOKUP_BATCH) {
      batches.push(values.slice(start, start + USER_LOOKUP_BATCH));
    }
    const results = await Promise.all(
      batches.map((batch) =>
        call(MOODLE_FUNCTIONS.usersByField, { field, values: batch }, (json) =>
          parseUsers(json, MOODLE_FUNCTIONS.usersByField),
        ),
      ),
    );
    return results.flat();
  }

  return {
    getSiteInfo,
    async preflight(required = REQUIRED_FUNCTIONS) {
      const siteInfo = await getSiteInfo();
      assertFunctionsAllowed(siteInfo, required);
      return siteInfo;
    },
    getCourses: () => call(MOODLE_FUNCTIONS.courses, {}, parseCourses),
    getCourseContents: (courseId) =>
      call(
        MOODLE_FUNCTIONS.courseContents,
        {
          courseid: courseId,
          options: [
            { name: 'excludecontents', value: true },
            // Stealth activities are available to students; the sync decides how to count them.
            { name: 'includestealthmodules', value: true },
          ],
        },
        parseCourseContents,
        { courseId },
      ),
    getGradeItems: (courseId, userId = 0) =>
      call(MOODLE_FUNCTIONS.gradeItems, { courseid: courseId, userid: userId }, parseGradeItems, {
        courseId,
        timeoutMs: gradeTimeoutMs,
      }),
    readGradeReport: (courseId, onUser) =>
      call(MOODLE_FUNCTIONS.gradeItems, { courseid: courseId, userid: 0 }, (users) => users as number, {
        courseId,
        timeoutMs: gradeTimeoutMs,
        readUsers: onUser,
      }),
    getEnrolledUsers: (courseId) =>
      call(MOODLE_FUNCTIONS.enrolledUsers, { courseid: courseId }, parseUsers, { courseId }),
    getUsersByField,
    calls: counts,
  };
}
