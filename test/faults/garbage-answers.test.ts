import { generateSite, type CourseFault } from '../../src/moodle-sim';
import { MOODLE_FUNCTIONS } from '../../src/moodle';
import { MAX_RESPONSE_BYTES } from '../../src/moodle/limits';
import { SCHEDULE_IDS } from '../../src/temporal/workflow-ids';
import { MOODLE_ACTIVITY_RETRY } from '../../workflows/settings';
import { courseActivities, largestHistoryEvent } from '../support/course-activities';
import { triggerScheduledRun } from '../support/schedule-runs';
import { enrollEveryStudent, type ServiceStack } from '../support/service-stack';
import { startStackOnOwnTemporal } from '../support/stack-on-own-temporal';
import { moveWorkerToProcess, type ArmedWorker } from '../support/worker-processes';

const TOKEN = '9a4b9a4b9a4b9a4b9a4b9a4b9a4b9a4b';
const COURSES = 8;
/** The deadline of an ordinary call's whole answer (MOODLE_TIMEOUT), short so that the trickle meets it soon. */
const MOODLE_TIMEOUT_MS = 3_000;
/** The back-off between the attempts of a retryable failure: 1 + 2 + 4 + 8 + 16 s. */
const RETRY_BACKOFF_MS = 31_000;
/** Workflow tasks, bookkeeping and a machine shared with other tests, on top of the budget. */
const SLACK_MS = 20_000;
/** The worker's peak memory must stay under this whatever Moodle sends. */
const MAX_WORKER_RSS_MB = 512;
/** Twice the course contents' limit: what a runaway PHP loop or a proxy serving a file might send. */
const OVERSIZED_BYTES = 2 * MAX_RESPONSE_BYTES[MOODLE_FUNCTIONS.courseContents];
/** The largest event a workflow history may hold: counts and messages, never a gradebook or a body. */
const MAX_HISTORY_EVENT_BYTES = 16 * 1024;

interface Garbage {
  fault: CourseFault;
  code: string;
  message: RegExp;
  /** Attempts the course gets: every one of the budget when the failure may pass, one when it cannot. */
  attempts: number;
}

const ALL_ATTEMPTS = MOODLE_ACTIVITY_RETRY.maximumAttempts;

/** One broken answer per course; the three courses after them answer as Moodle should. */
const GARBAGE: readonly Garbage[] = [
  { fault: { answer: 'html-page' }, code: 'MOODLE_PROTOCOL', message: /returned an HTML page/, attempts: ALL_ATTEMPTS },
  {
    fault: { answer: 'truncated-json' },
    code: 'MOODLE_PROTOCOL',
    message: /not valid JSON/,
    attempts: ALL_ATTEMPTS,
  },
  {
    fault: { answer: 'oversized', bytes: OVERSIZED_BYTES, wsfunction: MOODLE_FUNCTIONS.courseContents },
    code: 'MOODLE_PROTOCOL',
    message: /answered more than 16 MiB/,
    attempts: 1,
  },
  {
    // The course contents, whose deadline is MOODLE_TIMEOUT (a grade report's is 5 minutes).
    fault: { answer: 'trickle', wsfunction: MOODLE_FUNCTIONS.courseContents },
    code: 'MOODLE_TIMEOUT',
    message: /did not finish answering `core_course_get_contents` within 3 s/,
    attempts: ALL_ATTEMPTS,
  },
  { fault: { answer: 'redirect' }, code: 'MOODLE_PROTOCOL', message: /redirected .* a login page\?/, attempts: 1 },
];

/**
 * Fault row "Moodle answers garbage end to end": a whole enrollment sync, run by a real worker process
 * (whose memory is measured), while five courses each get one kind of broken answer. Each of them fails
 * with a clear code within the retry budget, the others sync, and nothing large reaches a history.
 */
describe('Moodle answering garbage for some courses, through a whole enrollment sync', () => {
  let stack: ServiceStack;
  let worker: ArmedWorker;

  beforeAll(async () => {
    stack = await startStackOnOwnTemporal({
      site: generateSite({ seed: 'garbage-answers', courses: COURSES, studentsPerCourse: 5, activitiesPerCourse: 5 }),
      token: TOKEN,
      name: 'garbage_answers',
    });
    worker = await moveWorkerToProcess(stack, { MOODLE_TIMEOUT: `${MOODLE_TIMEOUT_MS}ms` });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await stack?.close();
  });

  it('fails each broken course with its code in bounded time, syncs the others, and keeps memory bounded', async () => {
    const { courseIds } = await enrollEveryStudent(stack);
    const broken = new Map(GARBAGE.map((garbage, index) => [courseIds[index]!, garbage]));
    const healthy = courseIds.filter((courseId) => !broken.has(courseId));
    stack.sim.faults.set({ courseFaults: new Map([...broken].map(([courseId, { fault }]) => [courseId, fault])) });

    const { temporal, stores } = stack.connections;
    const run = await triggerScheduledRun(temporal, SCHEDULE_IDS.enrollmentSync);
    const result = await run.result();
    const { startTime, closeTime } = await run.describe();
    const tookMs = closeTime!.getTime() - startTime.getTime();
    const peakRssMb = worker.peakRssMb();
    console.info(
      `garbage for ${broken.size} of ${COURSES} courses: run ${result.outcome} after ${tookMs} ms ` +
        `(budget ${ALL_ATTEMPTS} × ${MOODLE_TIMEOUT_MS} ms + ${RETRY_BACKOFF_MS} ms back-off); ` +
        `worker peak RSS ${peakRssMb.toFixed(0)} MB`,
    );

    expect(result).toMatchObject({
      outcome: 'PARTIAL',
      counts: { coursesToSync: COURSES, coursesSynced: healthy.length, coursesFailed: broken.size, coursesDenied: 0 },
    });
    expect(tookMs).toBeLessThan(ALL_ATTEMPTS * MOODLE_TIMEOUT_MS + RETRY_BACKOFF_MS + SLACK_MS);
    expect(peakRssMb).toBeLessThan(MAX_WORKER_RSS_MB);

    const errors = await stores.syncErrors.open();
    for (const [courseId, garbage] of broken) {
      const error = errors.find((open) => open.courseId === courseId);
      expect(error).toMatchObject({ code: garbage.code, message: expect.stringMatching(garbage.message) });
    }
    expect(errors.filter((error) => healthy.includes(error.courseId!))).toEqual([]);
    const activities = await courseActivities(temporal, run.workflowId);
    const attempts = Object.fromEntries(
      activities.filter((activity) => activity.outcome === 'failed').map((a) => [a.courseId, a.attempt]),
    );
    expect(attempts).toEqual(
      Object.fromEntries([...broken].map(([courseId, garbage]) => [courseId, garbage.attempts])),
    );

    // Counts and messages travel through the histories; no answer, however big, does.
    expect(await largestHistoryEvent(temporal, run.workflowId)).toBeLessThan(MAX_HISTORY_EVENT_BYTES);
    await stack.expectNoSecretsLeaked();
  }, 180_000);
});
