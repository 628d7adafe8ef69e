import type { EventStats } from '../events/simulator-events';
import {
  CONTROL_COURSES_PATH,
  CONTROL_EVENTS_PATH,
  CONTROL_GRADES_PATH,
  CONTROL_TOKEN_PATH,
  type EventsSwitch,
  type GradeSetAnswer,
  type NewCourseAnswer,
  type NewCourseRequest,
  type TokenState,
} from './control';
import type { GradeRequest } from './grade-request';

/** A refusal the `sms-sync moodle-sim` commands explain; `badInput` when the request itself was refused. */
export class SimulatorControlError extends Error {
  override readonly name = 'SimulatorControlError';

  constructor(
    message: string,
    readonly badInput = false,
  ) {
    super(message);
  }
}

const CONTROL_TIMEOUT_MS = 10_000;

/** Adds a course to the simulator serving `siteUrl` through its control endpoint. */
export async function requestNewCourse(
  siteUrl: string,
  token: string,
  course: NewCourseRequest,
): Promise<NewCourseAnswer> {
  return (await postControl(siteUrl, token, CONTROL_COURSES_PATH, course, {
    inRealMoodle: 'courses are added in a real Moodle itself',
  })) as NewCourseAnswer;
}

/** Revokes or restores the token of the simulator serving `siteUrl`; answers the state it is in now. */
export async function requestTokenState(siteUrl: string, token: string, state: TokenState): Promise<TokenState> {
  return (await postControl(siteUrl, token, CONTROL_TOKEN_PATH, state, {
    inRealMoodle: "a real Moodle's tokens are managed in its Site administration (Server > Web services)",
  })) as TokenState;
}

/** Sets a student's grade on the simulator serving `siteUrl`, as a teacher would; answers what was set. */
export async function requestGrade(siteUrl: string, token: string, grade: GradeRequest): Promise<GradeSetAnswer> {
  return (await postControl(siteUrl, token, CONTROL_GRADES_PATH, grade, {
    inRealMoodle: 'grades are set in a real Moodle itself',
  })) as GradeSetAnswer;
}

/** Switches the events of the simulator serving `siteUrl` on or off (or only reads them); answers the counts. */
export async function requestEventsSwitch(siteUrl: string, token: string, change: EventsSwitch): Promise<EventStats> {
  return (await postControl(siteUrl, token, CONTROL_EVENTS_PATH, change, {
    inRealMoodle: "a real Moodle's events are set up in its local_webhooks plugin",
  })) as EventStats;
}

async function postControl(
  siteUrl: string,
  token: string,
  path: string,
  body: object,
  { inRealMoodle }: { inRealMoodle: string },
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${siteUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
    });
  } catch (error) {
    // fetch's own message is only "fetch failed"; its cause says why (ECONNREFUSED…). Read by shape, not
    // instanceof: the cause comes from Node's internals, another realm under test runners.
    const cause = (error as { cause?: { message?: unknown } }).cause?.message;
    const reason = typeof cause === 'string' ? cause : String(error);
    throw new SimulatorControlError(`cannot reach the Moodle simulator at ${siteUrl} (${reason})`);
  }
  const text = await response.text();
  if (response.ok) return JSON.parse(text);
  switch (response.status) {
    case 400:
      throw new SimulatorControlError((JSON.parse(text) as { error: string }).error, true);
    case 401:
      throw new SimulatorControlError(`the Moodle simulator at ${siteUrl} refused the token (MOODLE_TOKEN)`);
    case 404:
      throw new SimulatorControlError(`${siteUrl} is not a Moodle simulator (no ${path}): ${inRealMoodle}`);
    default:
      throw new SimulatorControlError(`the Moodle simulator at ${siteUrl} answered HTTP ${response.status}`);
  }
}
