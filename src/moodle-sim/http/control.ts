import type { EventStats, SimulatorEvents } from '../events/simulator-events';
import { CourseInputError, type SiteModel } from '../site';
import { applyGradeRequest, parseGradeRequest, type GradeAnswer } from './grade-request';

/**
 * The simulator's own doors beside Moodle's REST endpoint, for a person trying
 * the service (`sms-sync moodle-sim add-course`, `revoke-token`, …): each does
 * what a Moodle admin would do in the web interface. They are not part of
 * Moodle's protocol, so they speak plain JSON, are never faulted or counted,
 * and take the configured web-service token as a bearer, even while it is
 * revoked: whoever revoked it must be able to restore it.
 */
export const CONTROL_COURSES_PATH = '/simulator/courses';
export const CONTROL_TOKEN_PATH = '/simulator/token';
export const CONTROL_EVENTS_PATH = '/simulator/events';
export const CONTROL_GRADES_PATH = '/simulator/grades';

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

/** `POST /simulator/token`: revoked, REST calls with the token get `invalidtoken`; the answer is the new state. */
export interface TokenState {
  revoked: boolean;
}

/**
 * `POST /simulator/events`: switches the site's events on or off; without `enabled`, only reads the
 * counts. The answer is the state and counts after it (EventStats).
 */
export interface EventsSwitch {
  enabled?: boolean;
}

/** The grade route's answer: what was set, and whether the site emitted its user_graded event. */
export interface GradeSetAnswer extends GradeAnswer {
  /** False when the simulator has no events URL, or its events are off. */
  eventEmitted: boolean;
}

/** What the control routes act on. */
export interface ControlContext {
  site: SiteModel;
  events: SimulatorEvents;
}

export interface ControlRequest {
  method: string | undefined;
  authorization: string | undefined;
  body: string;
}

export interface ControlReply {
  status: number;
  json: NewCourseAnswer | TokenState | EventStats | GradeSetAnswer | { error: string };
}

export interface ControlRoute {
  /** Completes "only POST, which …". */
  does: string;
  /** A body that works, shown when the body is not a JSON object. */
  example: string;
  answer(context: ControlContext, fields: Record<string, unknown>): ControlReply;
}

const ROUTES = new Map<string, ControlRoute>([
  [CONTROL_COURSES_PATH, { does: 'adds a course', example: '{"fullname": "History 101"}', answer: addCourse }],
  [CONTROL_TOKEN_PATH, { does: 'revokes or restores the token', example: '{"revoked": true}', answer: setTokenState }],
  [CONTROL_EVENTS_PATH, { does: 'switches events on or off', example: '{"enabled": false}', answer: switchEvents }],
  [
    CONTROL_GRADES_PATH,
    { does: "sets a student's grade", example: '{"courseId": 101, "userId": 2002, "grade": 8.5}', answer: setGrade },
  ],
]);

/** The control route at `path`, if it is one; anything else is left to Moodle's endpoints. */
export function controlRoute(path: string): ControlRoute | undefined {
  return ROUTES.get(path);
}

export function answerControl(
  context: ControlContext,
  token: string,
  route: ControlRoute,
  request: ControlRequest,
): ControlReply {
  if (request.authorization !== `Bearer ${token}`) {
    return { status: 401, json: { error: 'send the web-service token as "Authorization: Bearer <token>"' } };
  }
  if (request.method !== 'POST') return { status: 405, json: { error: `only POST, which ${route.does}` } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    return badRequest(`expected a JSON body such as ${route.example}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return badRequest('expected a JSON object');
  }
  return route.answer(context, parsed as Record<string, unknown>);
}

function badRequest(error: string): ControlReply {
  return { status: 400, json: { error } };
}

function addCourse({ site }: ControlContext, { fullname, shortname }: Record<string, unknown>): ControlReply {
  if (typeof fullname !== 'string') return badRequest('fullname: expected a string');
  if (shortname !== undefined && typeof shortname !== 'string') return badRequest('shortname: expected a string');
  try {
    const course = site.addCourse({ fullname, shortname: shortname ?? fullname });
    const { id, categoryid, visible } = course;
    return { status: 201, json: { id, shortname: course.shortname, fullname: course.fullname, categoryid, visible } };
  } catch (error) {
    if (!(error instanceof CourseInputError)) throw error;
    return badRequest(error.message);
  }
}

function setTokenState({ site }: ControlContext, { revoked }: Record<string, unknown>): ControlReply {
  if (typeof revoked !== 'boolean') return badRequest('revoked: expected true or false');
  if (revoked) site.revokeToken();
  else site.restoreToken();
  return { status: 200, json: { revoked: !site.tokenIsValid } };
}

function switchEvents({ events }: ControlContext, { enabled }: Record<string, unknown>): ControlReply {
  if (enabled !== undefined && typeof enabled !== 'boolean') return badRequest('enabled: expected true or false');
  if (enabled !== undefined) events.setEnabled(enabled);
  return { status: 200, json: events.stats() };
}

function setGrade({ site, events }: ControlContext, fields: Record<string, unknown>): ControlReply {
  const request = parseGradeRequest(fields);
  if ('refused' in request) return badRequest(request.refused);
  const emittedBefore = events.stats().emitted;
  const answer = applyGradeRequest(site, request);
  if ('refused' in answer) return badRequest(answer.refused);
  return { status: 200, json: { ...answer, eventEmitted: events.stats().emitted > emittedBefore } };
}
