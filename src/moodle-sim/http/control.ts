import { CourseInputError, type SiteModel } from '../site';

/**
 * The simulator's own door beside Moodle's REST endpoint, for a person trying
 * the service (`sms-sync moodle-sim add-course`): it adds a course to the
 * running site, as a Moodle admin would in the web interface. It is not part
 * of Moodle's protocol, so it speaks plain JSON, is never faulted or counted,
 * and takes the web-service token as a bearer: it changes the site.
 */
export const CONTROL_COURSES_PATH = '/simulator/courses';

/** `POST /simulator/courses`; the short name defaults to the full name. */
export interface NewCourseRequest {
  fullname: string;
  shortname?: string;
}

/** The new course, as core_course_get_courses will list it from now on. */
export interface NewCourseAnswer {
  id: number;
  shortname: string;
  fullname: string;
  categoryid: number;
  visible: boolean;
}

export interface ControlRequest {
  method: string | undefined;
  authorization: string | undefined;
  body: string;
}

export interface ControlReply {
  status: number;
  json: NewCourseAnswer | { error: string };
}

export function answerCourseControl(site: SiteModel, token: string, request: ControlRequest): ControlReply {
  if (request.authorization !== `Bearer ${token}`) {
    return { status: 401, json: { error: 'send the web-service token as "Authorization: Bearer <token>"' } };
  }
  if (request.method !== 'POST') return { status: 405, json: { error: 'only POST, which adds a course' } };
  const input = newCourseRequest(request.body);
  if (typeof input === 'string') return { status: 400, json: { error: input } };
  try {
    const course = site.addCourse({ fullname: input.fullname, shortname: input.shortname ?? input.fullname });
    const { id, shortname, fullname, categoryid, visible } = course;
    return { status: 201, json: { id, shortname, fullname, categoryid, visible } };
  } catch (error) {
    if (!(error instanceof CourseInputError)) throw error;
    return { status: 400, json: { error: error.message } };
  }
}

/** The request, or what is wrong with it. */
function newCourseRequest(body: string): NewCourseRequest | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'expected a JSON body such as {"fullname": "History 101"}';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'expected a JSON object';
  const { fullname, shortname } = parsed as Record<string, unknown>;
  if (typeof fullname !== 'string') return 'fullname: expected a string';
  if (shortname !== undefined && typeof shortname !== 'string') return 'shortname: expected a string';
  return { fullname, shortname };
}

/** A refusal `sms-sync moodle-sim add-course` explains; `badInput` when the course itself was refused. */
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
  let response: Response;
  try {
    response = await fetch(`${siteUrl.replace(/\/+$/, '')}${CONTROL_COURSES_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(course),
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
  switch (response.status) {
    case 201:
      return JSON.parse(text) as NewCourseAnswer;
    case 400:
      throw new SimulatorControlError((JSON.parse(text) as { error: string }).error, true);
    case 401:
      throw new SimulatorControlError(`the Moodle simulator at ${siteUrl} refused the token (MOODLE_TOKEN)`);
    case 404:
      throw new SimulatorControlError(
        `${siteUrl} is not a Moodle simulator (no ${CONTROL_COURSES_PATH}): courses are added in a real Moodle itself`,
      );
    default:
      throw new SimulatorControlError(`the Moodle simulator at ${siteUrl} answered HTTP ${response.status}`);
  }
}
