/**
 * A Moodle site that speaks Moodle's REST web-service protocol
 * (docs/moodle.md) over an in-memory model, for tests, demos and
 * benchmarks:
 *
 *   const sim = await startMoodleSimulator({ site: demoSite(), token: 'abc' });
 *   // POST `${sim.url}/webservice/rest/server.php?moodlewsrestformat=json&wsfunction=…`
 *   sim.site.grade(101, 2002, 1005, 7);        // the next grade report shows it
 *   sim.faults.set({ serverErrorRate: 0.2 });  // one call in five gets an HTML 5xx
 *   sim.faults.set({ courseFaults: new Map([[102, { answer: 'trickle' }]]) }); // 102's grade report, 1 byte/s
 *   sim.onCall(({ wsfunction, courseId }) => …); // before each call is answered
 *   await sim.stopListening();                 // connections refused until sim.listenAgain()
 *   sim.calls.get('gradereport_user_get_grade_items');
 *   await requestNewCourse(sim.url, 'abc', { fullname: 'History 101' }); // from another process, too
 *   await requestTokenState(sim.url, 'abc', { revoked: true });  // calls now get invalidtoken
 *
 *   // Moodle events, as the local_webhooks plugin POSTs them (events/):
 *   const sim = await startMoodleSimulator({ site, token, events: { url: 'http://127.0.0.1:4000/hooks', secret } });
 *   sim.site.grade(101, 2002, 1005, 7);        // queues \core\event\user_graded
 *   await sim.events.settled();                // every event so far delivered, refused or failed
 *   sim.events.stats();                        // { enabled, emitted, delivered, refused: { '401': 1 }, failed }
 *   sim.events.setEnabled(false);              // changes happen silently (events lost)
 *   sim.events.configure({ url, secret });     // where events go from now on
 *   await requestGrade(sim.url, 'abc', { courseId: 101, userId: 2002, grade: 8.5 }); // from another process
 *   await sim.close();
 */
export { startMoodleSimulator, REST_ENDPOINT } from './http/server';
export type { CallListener, MoodleSimulator, MoodleSimulatorOptions, ScheduleWait, SimulatedCall } from './http/server';
export { CONTROL_COURSES_PATH, CONTROL_EVENTS_PATH, CONTROL_GRADES_PATH, CONTROL_TOKEN_PATH } from './http/control';
export type { EventsSwitch, GradeSetAnswer, NewCourseAnswer, NewCourseRequest, TokenState } from './http/control';
export type { GradeRequest } from './http/grade-request';
export {
  requestEventsSwitch,
  requestGrade,
  requestNewCourse,
  requestTokenState,
  SimulatorControlError,
} from './http/control-client';
export { SimulatorEvents, WebhookTargetError } from './events/simulator-events';
export type { EventStats, SimulatorEventsOptions, WebhookBody, WebhookTarget } from './events/simulator-events';
export type { MoodleEvent } from './events/moodle-event';
export { FaultController } from './http/faults';
export type { CourseFault, FaultSettings } from './http/faults';
export { TRICKLE_INTERVAL_MS } from './http/replies';
export { CallCounter } from './http/call-counter';
export { CourseInputError, SiteModel, MODELLED_CAPABILITIES, SITE_COURSE_ID } from './site';
export type {
  Capability,
  CourseAccess,
  EnrolOptions,
  GradeOptions,
  SiteChange,
  SiteChangeListener,
  SiteModelOptions,
} from './site';
export type * from './site-inputs';
export type * from './records';
export { ROLE_IDS } from './records';
export { generateSite } from './generate';
export type { GenerateSiteOptions } from './generate';
export { demoSite } from './demo-site';
export { SIMULATED_FUNCTIONS } from './function-names';
export type { Gradebook, ReportRow, UserReport } from './gradebook';
export type { SeedPlan } from './seeded-grades';
