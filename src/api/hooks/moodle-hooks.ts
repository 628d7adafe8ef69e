import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Plugin } from 'graphql-yoga';
import { workForEvent, type MoodleEventWork, type RefreshTarget } from '../../domain/moodle-events';
import type { Logger } from '../../logger';
import type { Secret } from '../../secret';
import { isDatabaseUnavailable, type Stores } from '../../store';
import type { SyncLauncher } from '../../temporal/launcher';
import { DATABASE_RETRY_AFTER_SECONDS } from '../errors';
import { JSON_CONTENT_TYPE } from '../request-body';
import { readBodyWithin, BodyTooLargeError } from './body';
import { FollowedCourses } from './followed-courses';
import { describeIssues, moodleEventSchema } from './moodle-event';
import { RefreshRelay } from './refresh-relay';
import { secretMatches } from './secret-match';

export const MOODLE_HOOK_PATH = '/hooks/moodle';

/** The header a forwarder that cannot put the secret in the body sends it in. */
export const MOODLE_HOOK_SECRET_HEADER = 'x-moodle-webhook-secret';

/** An event is a few kilobytes; `other` rarely holds more than a few ids. */
export const MAX_EVENT_BYTES = 64 * 1024;

/**
 * Refused requests (no secret, not an event) per client address in a minute; past it they are answered
 * 429 and not logged. Signed events have a budget of their own, so a flood of unsigned requests through
 * the same proxy as Moodle never crowds Moodle's events out.
 */
export const REFUSALS_PER_MINUTE = 60;

/** Signed events per client address in a minute (MOODLE_WEBHOOK_RATE_LIMIT). */
export interface HookRateLimit {
  perMinute: number;
}

export interface MoodleHookDeps {
  /** Unset: the route answers 404, and says which setting turns it on. */
  secret?: Secret;
  rateLimit: HookRateLimit;
  stores: Pick<Stores, 'courses'>;
  syncs: Pick<SyncLauncher, 'refreshOnMoodleEvent'>;
  logger: Logger;
  /** Told of every answered event (metrics); nothing by default. */
  observe?: (outcome: MoodleHookOutcome) => void;
}

/** How an event was answered: `work` is unknown until the body was read and checked. */
export interface MoodleHookOutcome {
  status: number;
  outcome: 'queued' | 'ignored' | 'test' | 'refused';
  work: MoodleEventWork | 'UNKNOWN';
}

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

function refusal(status: number, code: string, message: string, headers?: Record<string, string>): Answer {
  return { status, body: { error: { code, message } }, headers };
}

const UNAUTHENTICATED = refusal(
  401,
  'UNAUTHENTICATED',
  `The event carries no valid secret (local_webhooks' "token" field, or the ${MOODLE_HOOK_SECRET_HEADER} header).`,
);

/**
 * `POST /hooks/moodle`: Moodle's events as hints (src/domain/moodle-events.ts). An event for a course
 * the SMS knows is handed to that course's refresh workflow, which syncs it within seconds; the answer
 * (202) never waits for the sync. Refusals start nothing: 401 without the secret, 400 for a body that is
 * not one event, 413/415 for the wrong size or type, 429 past the rate limit. Events the SMS has no use
 * for, and courses it does not know, are answered 200 "ignored" so that Moodle does not log a failure.
 */
export function moodleHooks(deps: MoodleHookDeps): Plugin {
  const parts: HookParts = {
    events: new RateLimiterMemory({ points: deps.rateLimit.perMinute, duration: 60 }),
    refusals: new RateLimiterMemory({ points: REFUSALS_PER_MINUTE, duration: 60 }),
    followed: new FollowedCourses(deps.stores),
    relay: new RefreshRelay((target, eventName) => deps.syncs.refreshOnMoodleEvent(target, eventName)),
  };
  return {
    async onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      if (url.pathname !== MOODLE_HOOK_PATH) return;
      const client = clientAddress(serverContext);
      const answer = await answerEvent(request, client, deps, parts);
      const { status, body, headers } = answer.answer;
      deps.observe?.({ status, outcome: answer.outcome, work: answer.work });
      endResponse(
        new fetchAPI.Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json', ...headers },
        }),
      );
    },
  };
}

interface Answered {
  answer: Answer;
  outcome: MoodleHookOutcome['outcome'];
  work: MoodleHookOutcome['work'];
}

const refused = (answer: Answer, work: MoodleHookOutcome['work'] = 'UNKNOWN'): Answered => ({
  answer,
  outcome: 'refused',
  work,
});

/**
 * Answers one request. A request refused before its secret was checked, or for its secret, is charged to
 * the client's refusal budget: past it, the answer is 429 and nothing is logged.
 */
async function answerEvent(
  request: Request,
  client: string,
  deps: MoodleHookDeps,
  parts: HookParts,
): Promise<Answered> {
  const checked = await readSignedEvent(request, deps);
  if ('unsigned' in checked) {
    const limited = await rateLimited(
      parts.refusals,
      client,
      `More than ${REFUSALS_PER_MINUTE} refused requests a minute from this address.`,
    );
    if (limited !== null) return refused(limited);
    if (checked.unsigned === UNAUTHENTICATED) deps.logger.warn({ client }, 'Moodle event refused: no valid secret');
    return refused(checked.unsigned);
  }
  const limited = await rateLimited(
    parts.events,
    client,
    `More than ${deps.rateLimit.perMinute} events a minute from this address; the schedule will catch up.`,
  );
  if (limited !== null) return refused(limited);

  const event = moodleEventSchema.safeParse(checked.body);
  if (!event.success)
    return refused(refusal(400, 'BAD_REQUEST', `Not a Moodle event: ${describeIssues(event.error)}.`));
  const { eventname: eventName, courseid: courseId } = event.data;
  return act(workForEvent(eventName), eventName, courseId, deps, parts);
}

/** The request's JSON body once it carries the secret, or why it was refused before. */
async function readSignedEvent(
  request: Request,
  deps: MoodleHookDeps,
): Promise<{ body: unknown } | { unsigned: Answer }> {
  if (deps.secret === undefined) {
    return { unsigned: refusal(404, 'NOT_FOUND', 'Moodle events are not enabled here: set MOODLE_WEBHOOK_SECRET.') };
  }
  if (request.method !== 'POST') {
    return { unsigned: refusal(405, 'METHOD_NOT_ALLOWED', 'Events are POSTed.', { allow: 'POST' }) };
  }
  if (!JSON_CONTENT_TYPE.test(request.headers.get('content-type') ?? '')) {
    return { unsigned: refusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'Events are sent as application/json (UTF-8).') };
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBodyWithin(request, MAX_EVENT_BYTES));
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return { unsigned: refusal(413, 'PAYLOAD_TOO_LARGE', `An event is at most ${MAX_EVENT_BYTES} bytes.`) };
    }
    return { unsigned: refusal(400, 'BAD_REQUEST', 'The body is not JSON in UTF-8.') };
  }
  const headerSecret = request.headers.get(MOODLE_HOOK_SECRET_HEADER);
  const bodySecret = isRecord(body) && typeof body.token === 'string' ? body.token : null;
  return secretMatches(headerSecret ?? bodySecret, deps.secret) ? { body } : { unsigned: UNAUTHENTICATED };
}

/** What the route keeps between requests. */
interface HookParts {
  events: RateLimiterMemory;
  refusals: RateLimiterMemory;
  followed: FollowedCourses;
  relay: RefreshRelay;
}

async function act(
  work: MoodleEventWork,
  eventName: string,
  courseId: number,
  deps: MoodleHookDeps,
  parts: HookParts,
): Promise<Answered> {
  const ignored = (reason: string): Answered => {
    deps.logger.info({ eventName, courseId, reason }, 'Moodle event ignored');
    return { answer: { status: 200, body: { status: 'ignored', reason } }, outcome: 'ignored', work };
  };
  if (work === 'NONE') return ignored('the SMS shows nothing this event changes');
  if (work === 'TEST') {
    deps.logger.info({ eventName }, 'Moodle hook test event received');
    return { answer: { status: 202, body: { status: 'received', test: true } }, outcome: 'test', work };
  }

  if (work === 'COURSE_GRADES') {
    let reason: string | null;
    try {
      reason = await parts.followed.whyIgnored(courseId);
    } catch (error) {
      const level = isDatabaseUnavailable(error) ? 'warn' : 'error';
      deps.logger[level]({ err: error, eventName, courseId }, 'Moodle event not queued: the course lookup failed');
      return refused(unavailable('DATABASE_UNAVAILABLE', 'The database is not answering'), work);
    }
    if (reason !== null) return ignored(reason);
  }
  const target: RefreshTarget = work === 'COURSE_LIST' ? { kind: 'COURSE_LIST' } : { kind: 'COURSE_GRADES', courseId };
  try {
    const { workflowId, folded } = await parts.relay.relay(target, eventName);
    deps.logger.debug({ eventName, courseId, workflowId, folded }, 'Moodle event queued');
    return { answer: { status: 202, body: { status: 'queued', workflowId } }, outcome: 'queued', work };
  } catch (error) {
    deps.logger.error({ err: error, eventName, courseId }, 'Moodle event not queued: Temporal did not take it');
    return refused(unavailable('SYNC_UNAVAILABLE', 'The sync service did not take the event'), work);
  }
}

/** The event was not taken; Moodle does not retry, and the schedule brings the change in anyway. */
function unavailable(code: string, what: string): Answer {
  return refusal(503, code, `${what}; the schedule will catch up.`, {
    'retry-after': String(DATABASE_RETRY_AFTER_SECONDS),
  });
}

/** 429 with Retry-After once the client's minute is used up; null while it is not. */
async function rateLimited(limiter: RateLimiterMemory, client: string, message: string): Promise<Answer | null> {
  try {
    await limiter.consume(client);
    return null;
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfter = String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    return refusal(429, 'RATE_LIMITED', message, { 'retry-after': retryAfter });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Node's server puts the socket in Yoga's server context; a fetch-only host has none. */
function clientAddress(serverContext: unknown): string {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return req?.socket?.remoteAddress ?? 'unknown';
}
