import { MoodleError, type MoodleErrorKind } from './errors';

/**
 * Turns everything that can go wrong on a call into a `MoodleError` with
 * advice a technician can act on (docs/moodle.md §1.4–1.8). Moodle answers its own
 * errors with HTTP 200, so the HTTP status only matters for what proxies and
 * PHP itself produce.
 */

/** What a classified error needs to know about the call that failed. */
export interface MoodleCall {
  wsfunction: string;
  /** Named in messages about course access. */
  courseId?: number;
  /**
   * Removes credentials from foreign text (Moodle messages, HTML pages). It
   * runs before any shortening so that a cut can never leave half a token.
   */
  scrub?: (text: string) => string;
}

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** An HTTP answer as the client read it: status line, headers and the whole body. */
export interface HttpAnswer {
  status: number;
  /** The reason phrase; HTTP/2 and some proxies send none. */
  statusText?: string;
  headers: ResponseHeaders;
  body: string;
}

/** The error object Moodle serialises instead of a result (docs/moodle.md §1.5). */
export interface MoodleExceptionBody {
  exception?: string;
  errorcode?: string;
  message?: string;
  debuginfo?: string;
}

export const SERVICE_SETTINGS = 'Site administration > Server > Web services > External services';
const TOKEN_SETTINGS = 'Site administration > Server > Web services > Manage tokens';
const QUOTE_LIMIT = 400;

/** Why the service account cannot log in, by errorcode (docs/moodle.md §1.6 step 4). */
const ACCOUNT_PROBLEM: Record<string, string> = {
  wsaccessusersuspended: 'is suspended',
  wsaccessuserdeleted: 'was deleted',
  wsaccessuserunconfirmed: 'is not confirmed',
  wsaccessuserexpired: 'has an expired password',
  wsaccessusernologin: "uses the 'No login' authentication method",
  usernotfullysetup: 'has not completed its profile',
  sitepolicynotagreed: 'has not accepted the site policy',
  forcepasswordchangenotice: 'must change its password',
};

/** The kinds a Moodle error body can map to; transport and HTTP problems have their own builders. */
type ExceptionKind = Exclude<
  MoodleErrorKind,
  'unreachable' | 'timeout' | 'rate-limited' | 'protocol' | 'webservices-disabled'
>;

const KIND_BY_ERRORCODE: Record<string, ExceptionKind> = {
  invalidtoken: 'invalid-token',
  accessexception: 'function-not-allowed',
  ...Object.fromEntries(Object.keys(ACCOUNT_PROBLEM).map((code) => [code, 'account-blocked' as const])),
  nopermissions: 'missing-capability',
  nopermissiontoviewgrades: 'missing-capability',
  notingroup: 'missing-capability',
  restrictedcontextexception: 'missing-capability',
  requireloginerror: 'course-inaccessible',
  errorcoursecontextnotvalid: 'course-inaccessible',
  invalidcourseid: 'course-not-found',
  sitemaintenance: 'maintenance',
  upgraderunning: 'maintenance',
  dmlreadexception: 'server-error',
  dmlwriteexception: 'server-error',
  dbconnectionfailed: 'server-error',
  invaliduser: 'user-not-found',
  userdeleted: 'user-not-found',
  invalidparameter: 'invalid-parameter',
  errorinvalidparam: 'invalid-parameter',
  codingerror: 'invalid-parameter',
};

const inCourse = (call: MoodleCall) => (call.courseId === undefined ? '' : ` course ${call.courseId}`);

const ADVICE: Record<ExceptionKind, (call: MoodleCall, errorcode: string) => string> = {
  'invalid-token': () =>
    `Moodle does not know the web-service token (deleted, regenerated or expired): ` +
    `create a new token for the sync's service account (${TOKEN_SETTINGS}) and update MOODLE_TOKEN`,
  'function-not-allowed': (call) =>
    `the token's service does not allow \`${call.wsfunction}\`: ` +
    `add it to the external service (${SERVICE_SETTINGS}). ` +
    `If it is listed already, check that the service is enabled, ` +
    `that the service account is one of its authorised users, ` +
    `and that the token has not expired and its IP restriction allows this server (${TOKEN_SETTINGS})`,
  'account-blocked': (call, errorcode) =>
    `the service account behind the token ${ACCOUNT_PROBLEM[errorcode] ?? 'cannot use web services'}, ` +
    `so \`${call.wsfunction}\` was refused: ` +
    `log in as that account or fix it under Site administration > Users > Browse list of users`,
  'function-unknown': (call) =>
    `this Moodle site has no web-service function \`${call.wsfunction}\` ` +
    `(not installed, removed in this Moodle version, or its plugin is disabled): ` +
    `check the Moodle version and plugins`,
  'missing-capability': (call) =>
    `the service account lacks a capability that \`${call.wsfunction}\` needs` +
    `${inCourse(call) && ` in${inCourse(call)}`}: ` +
    `give it a role with the capability named in Moodle's message ` +
    `(a Manager role at system level has all the sync needs)`,
  'course-inaccessible': (call) =>
    `the service account cannot enter${inCourse(call) || ' the course'} for \`${call.wsfunction}\` ` +
    `(it needs moodle/course:view, and moodle/course:viewhiddencourses for hidden courses): ` +
    `give it a Manager role at system level`,
  'course-not-found': (call) =>
    `${inCourse(call).trim() || 'the course'} no longer exists in Moodle (\`${call.wsfunction}\`)`,
  'user-not-found': (call) => `\`${call.wsfunction}\` asked for a Moodle user who does not exist or was deleted`,
  maintenance: (call) =>
    `the site is in maintenance mode or being upgraded; \`${call.wsfunction}\` can be retried later`,
  'server-error': (call) => `Moodle had a database error during \`${call.wsfunction}\`; it can be retried later`,
  'invalid-parameter': (call) =>
    `Moodle rejected the parameters of \`${call.wsfunction}\`: ` +
    `a bug in sms-sync or a Moodle version it does not support; retrying will not help`,
  'moodle-error': (call, errorcode) => `\`${call.wsfunction}\` failed with Moodle error \`${errorcode}\``,
};

/** Scrubbed, whitespace-collapsed, shortened foreign text. */
function quote(call: MoodleCall, text: string): string {
  const scrub = call.scrub ?? ((value: string) => value);
  const clean = scrub(text).replace(/\s+/g, ' ').trim();
  return clean.length > QUOTE_LIMIT ? `${clean.slice(0, QUOTE_LIMIT)}…` : clean;
}

/**
 * `invalidrecord` is raised for any missing database row, so the errorcode
 * alone cannot tell "unknown wsfunction" from "deleted course": only the table
 * name in the message can. The message is localised but the table name in it
 * is an identifier. Only the part before "(" is read because developer
 * debugging appends SQL there, which mentions other tables and columns.
 */
function kindOfMissingRecord(message: string): ExceptionKind {
  const sentence = message.split('(')[0] ?? '';
  if (/\bexternal_functions\b/.test(sentence)) return 'function-unknown';
  if (/\bcourse\b/.test(sentence)) return 'course-not-found';
  return 'moodle-error';
}

export function isMoodleExceptionBody(json: unknown): json is MoodleExceptionBody {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const body = json as MoodleExceptionBody;
  return typeof body.exception === 'string' || typeof body.errorcode === 'string';
}

export function errorFromException(call: MoodleCall, body: MoodleExceptionBody): MoodleError {
  const errorcode = typeof body.errorcode === 'string' ? body.errorcode : undefined;
  const message = typeof body.message === 'string' ? body.message : '';
  const debuginfo = typeof body.debuginfo === 'string' ? body.debuginfo : undefined;
  const kind =
    errorcode === undefined
      ? 'moodle-error'
      : errorcode === 'invalidrecord'
        ? kindOfMissingRecord(message)
        : (KIND_BY_ERRORCODE[errorcode] ?? 'moodle-error');
  const said = [
    `${errorcode ?? quote(call, body.exception ?? 'unknown exception')}:`,
    `"${quote(call, message)}"`,
    debuginfo === undefined ? '' : `debuginfo: "${quote(call, debuginfo)}"`,
  ];
  return new MoodleError({
    kind,
    wsfunction: call.wsfunction,
    errorcode,
    message: `${ADVICE[kind](call, errorcode ?? 'unknown')}. Moodle said: ${said.join(' ').trim()}`,
  });
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` is either delay seconds or an HTTP date. */
function parseRetryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function htmlTitle(call: MoodleCall, body: string): string | undefined {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1];
  return title?.trim() ? quote(call, title) : undefined;
}

/**
 * Moodle's CLI maintenance mode (admin/cli/maintenance.php, upgrades) answers every request with
 * "503 Moodle under maintenance" before any web-service code runs. The reason phrase is fixed English
 * but proxies may rewrite it; the page title ("<site> under maintenance") is the site's language.
 */
function isMaintenancePage(call: MoodleCall, answer: HttpAnswer): boolean {
  return (
    answer.status === 503 && /maintenance/i.test(`${answer.statusText ?? ''} ${htmlTitle(call, answer.body) ?? ''}`)
  );
}

/** Where a redirect pointed, without its query (login redirects carry session data there). */
function redirectTarget(call: MoodleCall, location: string | undefined): string {
  if (location === undefined) return 'another address (no Location header)';
  try {
    const target = new URL(location, 'relative:/');
    return quote(call, target.protocol === 'relative:' ? target.pathname : `${target.origin}${target.pathname}`);
  } catch {
    return quote(call, location.split('?')[0] ?? '');
  }
}

/**
 * Never followed: the token is in the POST body, and a redirect means the request reached something
 * other than the web-service endpoint (a login page, an SSO plugin, http → https, another host).
 */
function redirectError(call: MoodleCall, status: number, location: string | undefined): MoodleError {
  return new MoodleError({
    kind: 'protocol',
    wsfunction: call.wsfunction,
    retryable: false,
    message:
      `Moodle redirected \`${call.wsfunction}\` (HTTP ${status}) to ${redirectTarget(call, location)} — a login page? ` +
      `The redirect was not followed. Check that MOODLE_URL is the site's wwwroot exactly (https or http, host, path), ` +
      `that web services and the REST protocol are enabled, and that no SSO or proxy rule redirects ` +
      `/webservice/rest/server.php`,
  });
}

/** Errors proxies, PHP and the web server report through the status line; `undefined` for 2xx. */
export function errorFromHttpStatus(call: MoodleCall, answer: HttpAnswer): MoodleError | undefined {
  const { status, headers, body } = answer;
  if (status >= 200 && status < 300) return undefined;
  const title = htmlTitle(call, body);
  const page = title === undefined ? '' : ` ("${title}")`;
  if (isMaintenancePage(call, answer)) {
    return new MoodleError({
      kind: 'maintenance',
      wsfunction: call.wsfunction,
      message:
        `the site answered \`${call.wsfunction}\` with HTTP 503${page}: ` +
        `it is in maintenance mode or being upgraded; it can be retried later`,
    });
  }
  if (status >= 300 && status < 400) return redirectError(call, status, header(headers, 'location'));
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(header(headers, 'retry-after'));
    const wait = retryAfterMs === undefined ? '' : ` after ${Math.ceil(retryAfterMs / 1000)} s`;
    return new MoodleError({
      kind: 'rate-limited',
      wsfunction: call.wsfunction,
      retryAfterMs,
      message:
        `the site or a proxy in front of it refused \`${call.wsfunction}\` with HTTP 429 Too Many Requests; ` +
        `retry${wait}, and lower MOODLE_MAX_CONNECTIONS if it keeps happening`,
    });
  }
  if (status >= 500) {
    return new MoodleError({
      kind: 'server-error',
      wsfunction: call.wsfunction,
      message:
        `the site answered \`${call.wsfunction}\` with HTTP ${status}${page}: ` +
        `a PHP error, a proxy timeout or maintenance; it can be retried later`,
    });
  }
  return new MoodleError({
    kind: 'protocol',
    wsfunction: call.wsfunction,
    retryable: false,
    message:
      `the site answered \`${call.wsfunction}\` with HTTP ${status}${page}: ` +
      `check that MOODLE_URL is the site's address (its wwwroot) ` +
      `and that no proxy blocks /webservice/rest/server.php`,
  });
}

export function emptyBodyError(call: MoodleCall): MoodleError {
  return new MoodleError({
    kind: 'webservices-disabled',
    wsfunction: call.wsfunction,
    message:
      `the site answered \`${call.wsfunction}\` with an empty page: ` +
      `web services or the REST protocol are switched off. ` +
      `Turn on "Enable web services" (Site administration > Advanced features) ` +
      `and enable REST (Site administration > Server > Web services > Manage protocols)`,
  });
}

/**
 * Retryable: a body that is not JSON is most often cut off (connection lost,
 * PHP killed mid-output) or an upgrade/maintenance page, both of which pass.
 */
export function notJsonError(call: MoodleCall, body: string): MoodleError {
  const title = htmlTitle(call, body);
  const what = /^\s*</.test(body)
    ? `an HTML page${title === undefined ? '' : ` ("${title}")`} instead of JSON ` +
      `(is MOODLE_URL the site's wwwroot? is the site being upgraded?)`
    : 'a body that is not valid JSON (cut off or corrupted)';
  return new MoodleError({
    kind: 'protocol',
    wsfunction: call.wsfunction,
    retryable: true,
    message: `\`${call.wsfunction}\` returned ${what}`,
  });
}

/**
 * Not retryable: well-formed JSON of the wrong shape comes from a Moodle
 * version or plugin this client does not understand; asking again gives the same.
 */
export function unexpectedShapeError(wsfunction: string, problems: string): MoodleError {
  return new MoodleError({
    kind: 'protocol',
    wsfunction,
    retryable: false,
    message: `${wsfunction} returned an unexpected response: ${problems}`,
  });
}

/**
 * Not retryable: the same call gives the same answer. The limit is far above the largest real answer
 * (src/moodle/limits.ts), so the answer is broken (a PHP loop printing warnings, a proxy serving a file)
 * or the site outgrew what the client was sized for.
 */
export function responseTooLargeError(call: MoodleCall, limitBytes: number): MoodleError {
  return new MoodleError({
    kind: 'protocol',
    wsfunction: call.wsfunction,
    retryable: false,
    message:
      `\`${call.wsfunction}\`${inCourse(call) && ` for${inCourse(call)}`} answered more than ` +
      `${formatBytes(limitBytes)}, the client's limit for this function's answers; it stopped reading there. ` +
      `Look at what the site sends for this call (a page of PHP warnings? a proxy answering with a file?); ` +
      `a real answer this large is more than the sync was sized for`,
  });
}

function formatBytes(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return mebibytes >= 1 ? `${Number(mebibytes.toFixed(1))} MiB` : `${bytes} bytes`;
}

/** The whole answer, headers and body, took longer than the call may take (a stalled or trickling body). */
export function deadlineError(call: MoodleCall, site: string, deadlineMs: number): MoodleError {
  return new MoodleError({
    kind: 'timeout',
    wsfunction: call.wsfunction,
    message:
      `${site} did not finish answering \`${call.wsfunction}\` within ${formatSeconds(deadlineMs)}, ` +
      `the client's deadline for the whole answer (headers and body): the site may be overloaded ` +
      `or sending its answer very slowly; it can be retried later, and large grade reports may need a longer timeout`,
  });
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** What undici and the OS report when connecting takes too long; the answer's own deadline is the client's. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

const TRANSPORT_PROBLEM: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the other side',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * Only the error's `code` (or `name`) is kept: undici errors can carry the
 * request, whose body holds the token.
 */
export function errorFromTransport(call: MoodleCall, error: unknown, site: string): MoodleError {
  const { code, name } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    name?: unknown;
  };
  const reason = typeof code === 'string' ? code : typeof name === 'string' ? name : 'unknown error';
  if (TIMEOUT_CODES.has(reason)) {
    return new MoodleError({
      kind: 'timeout',
      wsfunction: call.wsfunction,
      message:
        `${site} did not answer \`${call.wsfunction}\` in time (${reason}): ` +
        `the site may be overloaded; it can be retried later, and large grade reports may need a longer timeout`,
    });
  }
  return new MoodleError({
    kind: 'unreachable',
    wsfunction: call.wsfunction,
    message:
      `could not talk to ${site} for \`${call.wsfunction}\` ` +
      `(${TRANSPORT_PROBLEM[reason] ?? 'network error'}, ${reason}): ` +
      `check MOODLE_URL, DNS, firewall and TLS certificate; it can be retried later`,
  });
}
