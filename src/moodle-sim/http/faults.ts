import { MOODLE_FUNCTIONS } from '../../moodle';
import { hashSeed, mulberry32 } from '../random';

/**
 * What a course's calls get instead of the right answer, as a broken site, PHP or a proxy gives it:
 * HTTP 200 with Moodle's HTML error page; HTTP 200 with the answer cut in half; the answer one byte a
 * second; HTTP 302 to the login page; or the answer followed by whitespace up to `bytes` in all, sent
 * as fast as the client reads (still valid JSON: only its size is wrong).
 */
export type CourseFault = (
  { answer: 'html-page' | 'truncated-json' | 'trickle' | 'redirect' } | { answer: 'oversized'; bytes: number }
) & {
  /** The function whose calls for the course get it; default the grade report. */
  wsfunction?: string;
};

export interface FaultSettings {
  /** Base latency of every answer. */
  latencyMs: number;
  /** Extra latency per returned record (grade report: users × items; other calls: records). */
  perRowLatencyMs: number;
  /** Share of calls answered by an HTML 500, 502 or 503 page. */
  serverErrorRate: number;
  /** Share of calls never answered: the socket stays open until the client gives up or the simulator closes. */
  timeoutRate: number;
  /** Share of calls answered HTTP 200 with broken JSON (cut short, or PHP warnings in front). */
  malformedRate: number;
  /** Share of calls answered HTTP 200 with Moodle's HTML error page. */
  htmlErrorRate: number;
  /** Share of calls answered HTTP 429 with a Retry-After header, as a proxy or WAF would. */
  rateLimitRate: number;
  /** Seconds announced in Retry-After. */
  retryAfterSeconds: number;
  /** Site in (admin) maintenance mode: every call with a valid token gets `sitemaintenance`. */
  maintenance: boolean;
  /**
   * Site in CLI maintenance mode (admin/cli/maintenance.php, upgrades): every web-service request is
   * answered "503 Moodle under maintenance" with the maintenance page, before any Moodle check.
   */
  cliMaintenance: boolean;
  /** Calls naming these courses (`courseid`) get the course's fault instead of their answer. */
  courseFaults: ReadonlyMap<number, CourseFault>;
  /** Source of the fault draws; inject one for deterministic tests. */
  random: () => number;
}

export type TransportFault = 'timeout' | 'serverError' | 'rateLimit' | 'htmlError' | 'malformed';

type RateKey = 'timeoutRate' | 'serverErrorRate' | 'rateLimitRate' | 'htmlErrorRate' | 'malformedRate';

/** Order in which one draw per call is mapped onto the rates (they add up; a sum above 1 starves the last ones). */
const DRAW_ORDER: readonly [TransportFault, RateKey][] = [
  ['timeout', 'timeoutRate'],
  ['serverError', 'serverErrorRate'],
  ['rateLimit', 'rateLimitRate'],
  ['htmlError', 'htmlErrorRate'],
  ['malformed', 'malformedRate'],
];

/** The grade report: the biggest and slowest answer of a sync, where a broken one hurts most. */
const DEFAULT_COURSE_FAULT_FUNCTION: string = MOODLE_FUNCTIONS.gradeItems;

const RATE_KEYS: ReadonlySet<string> = new Set(DRAW_ORDER.map(([, key]) => key));

function noFaults(): FaultSettings {
  return {
    latencyMs: 0,
    perRowLatencyMs: 0,
    serverErrorRate: 0,
    timeoutRate: 0,
    malformedRate: 0,
    htmlErrorRate: 0,
    rateLimitRate: 0,
    retryAfterSeconds: 1,
    maintenance: false,
    cliMaintenance: false,
    courseFaults: new Map(),
    random: mulberry32(hashSeed('moodle-sim faults')),
  };
}

/** The simulator's fault knobs; tests change them while it runs. */
export class FaultController {
  private settings: FaultSettings = noFaults();

  constructor(initial: Partial<FaultSettings> = {}) {
    this.set(initial);
  }

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  set(changes: Partial<FaultSettings>): void {
    for (const [key, value] of Object.entries(changes)) {
      if (RATE_KEYS.has(key) && (typeof value !== 'number' || !(value >= 0 && value <= 1))) {
        throw new RangeError(`${key} must be between 0 and 1, got ${String(value)}`);
      }
    }
    this.settings = { ...this.settings, ...changes };
  }

  /** Back to no faults at all (and a freshly seeded default random). */
  reset(): void {
    this.settings = noFaults();
  }

  /** The fault a call of `wsfunction` for `courseId` meets, if its course has one for that function. */
  courseFault(wsfunction: string, courseId: number | undefined): CourseFault | undefined {
    const fault = courseId === undefined ? undefined : this.settings.courseFaults.get(courseId);
    return fault !== undefined && (fault.wsfunction ?? DEFAULT_COURSE_FAULT_FUNCTION) === wsfunction
      ? fault
      : undefined;
  }

  /** One draw decides whether this call meets a transport fault, and which. */
  drawTransportFault(): TransportFault | undefined {
    const draw = this.settings.random();
    let threshold = 0;
    for (const [fault, key] of DRAW_ORDER) {
      threshold += this.settings[key];
      if (draw < threshold) return fault;
    }
    return undefined;
  }
}
