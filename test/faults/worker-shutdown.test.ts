import { loadConfig } from '../../src/config';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/local/services';
import { resolveTool } from '../../src/local/tools';
import { generateSite } from '../../src/moodle-sim';
import { SHUTDOWN_GRACE_MS } from '../../src/temporal/worker';
import { enrollmentSyncWorkflow } from '../../workflows';
import type { EnrollmentSyncInput } from '../../workflows/enrollment-sync';
import { batchWorkflowIds, courseActivities } from '../support/course-activities';
import { expectEnrollmentsFromModel } from '../support/enrollments-from-model';
import { testConfig, uniqueName } from '../support/environment';
import { expectRunToldEverywhere } from '../support/run-truth';
import { enrollEveryStudent, startServiceStack, type ServiceStack } from '../support/service-stack';
import {
  spawnArmedWorker,
  spawnWorkerCommand,
  workerEnvironment,
  type ArmedWorker,
  type WorkerProcess,
} from '../support/worker-processes';

const TOKEN = '5d9c2e415d9c2e415d9c2e415d9c2e41';
const COURSES = 12;
/** The process's own stopping (connections closed, tracing flushed) on top of the SDK's drain. */
const EXIT_MARGIN_MS = 5_000;
/** `PENDING_ACTIVITY_STATE_STARTED` (temporal.api.enums.v1), without a dependency on the proto package. */
const ACTIVITY_STARTED = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fault row "worker stopped (SIGTERM, Ctrl-C) mid-course": a real `sms-sync worker` process shares the
 * task queue with the stack's worker (the "other worker", in the test process) and is sent SIGTERM
 * while it runs a course, as a deploy or `docker compose stop` does. A Temporal dev server of this
 * file's own: every worker ensures the schedules, which must not reach other tests' runs.
 */
describe('the worker stopped with SIGTERM in the middle of a course', () => {
  let server: TemporalDevServer;
  let stack: ServiceStack;
  let enrollments: number;

  beforeAll(async () => {
    server = await startTemporalDevServer({ binary: resolveTool('temporal', loadConfig()) });
    stack = await startServiceStack({
      temporalAddress: server.address,
      mongoUri: testConfig().mongo.uri,
      site: generateSite({ seed: 'worker-shutdown', courses: COURSES, studentsPerCourse: 6, activitiesPerCourse: 5 }),
      token: TOKEN,
      name: 'worker_shutdown',
    });
    ({ enrollments } = await enrollEveryStudent(stack));
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await server?.stop();
  });

  async function startEnrollmentSync(input: EnrollmentSyncInput) {
    const workflowId = uniqueName('enrollment-sync-sigterm');
    const handle = await stack.connections.temporal.workflow.start(enrollmentSyncWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId,
      args: [{ trigger: 'MANUAL', ...input }],
    });
    return { workflowId, handle };
  }

  /** Waits until `worker` runs a course activity of the sync (a started attempt in one of its batches). */
  async function waitForCourseOn(worker: WorkerProcess, workflowId: string, timeoutMs = 60_000): Promise<void> {
    const { temporal } = stack.connections;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const childId of await batchWorkflowIds(temporal, workflowId)) {
        const { raw } = await temporal.workflow.getHandle(childId).describe();
        const running = (raw.pendingActivities ?? []).some(
          (activity) => activity.state === ACTIVITY_STARTED && activity.lastWorkerIdentity === worker.identity,
        );
        if (running) return;
      }
      await sleep(100);
    }
    throw new Error(`the worker ${worker.identity} ran no course within ${timeoutMs} ms`);
  }

  /** Sends SIGTERM; resolves with how the process exited and how long it took. */
  async function terminate(worker: WorkerProcess) {
    const sentAt = Date.now();
    const exit = await worker.stop('SIGTERM');
    return { ...exit, ms: Date.now() - sentAt };
  }

  /**
   * No enrollment shows data its report card does not: each one written since `since` has a card of
   * the same Moodle read, whatever moment the worker stopped at (report cards are written first).
   */
  async function expectNoHalfWrites(since: Date): Promise<number> {
    const { stores } = stack.connections;
    const written = await stores.enrollments.collection.find({ lastSyncedAt: { $gte: since } }).toArray();
    const cards = await stores.reportCards.ofEnrollments(written.map((enrollment) => enrollment._id.toHexString()));
    const cardOf = new Map(cards.map((card) => [card._id.toHexString(), card]));
    for (const enrollment of written) {
      const rows = stack.sim.site.gradebook(enrollment.courseId).userReport(enrollment.moodleUserId).rows;
      const card = cardOf.get(enrollment._id.toHexString());
      expect(card?.readAt.getTime()).toBeGreaterThanOrEqual(since.getTime());
      expect(card?.lines.map((line) => [line.gradeItemId, line.raw])).toEqual(
        rows.map((row) => [row.item.id, row.value]),
      );
    }
    return written.length;
  }

  it('finishes the running courses, exits 0 within the grace time, and the run completes on the other worker', async () => {
    const worker = spawnWorkerCommand(workerEnvironment(stack));
    try {
      // It bundles the workflows first: tens of seconds on a busy machine.
      await worker.waitForLog('worker started', 180_000);
      // Every Moodle answer takes a while, so that the worker surely has a course in hand.
      stack.sim.faults.set({ latencyMs: 1_500 });
      const startedAt = new Date();
      const { workflowId, handle } = await startEnrollmentSync({ concurrency: 4, batchSize: 6 });
      await waitForCourseOn(worker, workflowId);

      const exit = await terminate(worker);
      const halfWritesChecked = await expectNoHalfWrites(startedAt);
      stack.sim.faults.reset();
      const result = await handle.result();
      const activities = await courseActivities(stack.connections.temporal, workflowId);
      const ranOnStopped = activities.filter((activity) => activity.startedBy === worker.identity);
      console.info(
        `SIGTERM: exit code ${exit.code} after ${exit.ms} ms (grace ${SHUTDOWN_GRACE_MS} ms); ` +
          `${ranOnStopped.length} course(s) finished by the stopping worker, ` +
          `${halfWritesChecked} enrollment(s) written by then, checked against their report cards`,
      );

      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThan(SHUTDOWN_GRACE_MS + EXIT_MARGIN_MS);
      expect(worker.logs.map((line) => line.msg)).toContain('worker stopped');
      // Drained, not dropped: what it had started it completed, and nothing was run twice.
      expect(ranOnStopped.length).toBeGreaterThan(0);
      for (const activity of ranOnStopped) expect(activity).toMatchObject({ outcome: 'completed', attempt: 1 });
      expect(activities.map((activity) => activity.courseId).sort()).toEqual(
        [...new Set(activities.map((a) => a.courseId))].sort(),
      );
      expect(activities).toHaveLength(COURSES);
      expect(result).toMatchObject({
        outcome: 'SUCCEEDED',
        counts: { coursesToSync: COURSES, coursesSynced: COURSES, coursesFailed: 0, enrollmentsFailed: 0 },
      });
      await expectEnrollmentsFromModel(stack.connections.stores, stack.sim.site, { enrollments, since: startedAt });
      await expectRunToldEverywhere(stack, workflowId, 'SUCCEEDED');
    } finally {
      stack.sim.faults.reset();
      await worker.stop('SIGKILL');
    }
  }, 300_000);

  it('cancels courses that outlast the grace time, their Moodle calls with them, exits 0, and a new worker redoes them', async () => {
    // Regrades, so that this run has something to write for every enrollment.
    const { site } = stack.sim;
    const courseIds = await stack.connections.stores.enrollments.courseIds();
    for (const courseId of courseIds) {
      for (const user of site.students(courseId)) regradeEverything(courseId, user.id);
    }
    // A rolling deploy: the old worker alone runs the sync and is stopped; a new one starts after.
    await stack.worker.stop();
    const worker = spawnWorkerCommand(workerEnvironment(stack, { MOODLE_TIMEOUT: '10m' }));
    let successor: ArmedWorker | undefined;
    try {
      await worker.waitForLog('worker started', 180_000);
      // Every gradebook trickles in a byte a second: the worker's courses are still in Moodle's hands when it must stop.
      stack.sim.faults.set({ courseFaults: new Map(courseIds.map((courseId) => [courseId, { answer: 'trickle' }])) });
      const startedAt = new Date();
      // A short heartbeat timeout: the abandoned courses are retried seconds after the process is gone.
      const { workflowId, handle } = await startEnrollmentSync({
        concurrency: 4,
        batchSize: COURSES,
        heartbeatTimeoutMs: 5_000,
      });
      await waitForCourseOn(worker, workflowId);

      const exit = await terminate(worker);
      const halfWritesChecked = await expectNoHalfWrites(startedAt);
      stack.sim.faults.reset();
      successor = await spawnArmedWorker(workerEnvironment(stack));
      successor.start();
      const result = await handle.result();
      const activities = await courseActivities(stack.connections.temporal, workflowId);
      console.info(
        `SIGTERM with courses stuck in Moodle: exit code ${exit.code} after ${exit.ms} ms ` +
          `(grace ${SHUTDOWN_GRACE_MS} ms); ${halfWritesChecked} enrollment(s) written by then; ` +
          `attempts per course ${JSON.stringify(activities.map((activity) => activity.attempt))}`,
      );

      // At the grace time the courses are cancelled, which aborts their Moodle calls: the worker stops cleanly.
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS);
      expect(exit.ms).toBeLessThan(SHUTDOWN_GRACE_MS + EXIT_MARGIN_MS);
      expect(worker.logs.map((line) => line.msg)).toContain('worker stopped');
      expect(halfWritesChecked).toBe(0);
      // Every course once in the run, completed by the new worker; the abandoned ones on their second attempt.
      expect(new Set(activities.map((activity) => activity.courseId)).size).toBe(COURSES);
      expect(activities).toHaveLength(COURSES);
      for (const activity of activities)
        expect(activity).toMatchObject({ outcome: 'completed', startedBy: successor.identity });
      expect(activities.filter((activity) => activity.attempt === 2)).toHaveLength(4);
      expect(result).toMatchObject({
        outcome: 'SUCCEEDED',
        counts: { coursesToSync: COURSES, coursesSynced: COURSES, coursesFailed: 0, enrollmentsFailed: 0 },
      });
      await expectEnrollmentsFromModel(stack.connections.stores, site, { enrollments, since: startedAt });
      await expectRunToldEverywhere(stack, workflowId, 'SUCCEEDED');
      expect(await successor.stop('SIGTERM')).toMatchObject({ code: 0, signal: null });
      await stack.expectNoSecretsLeaked();
    } finally {
      stack.sim.faults.reset();
      await worker.stop('SIGKILL');
      await successor?.stop('SIGKILL');
    }
  }, 300_000);

  /** Gives the student another grade in every graded item, as a teacher would. */
  function regradeEverything(courseId: number, userId: number): void {
    const gradebook = stack.sim.site.gradebook(courseId);
    for (const item of gradebook.gradedItems()) {
      const value = item.scale ? 1 : item.grademin + (item.grademax - item.grademin) / 3;
      gradebook.setActivityGrade(item.id, userId, {
        value,
        feedback: '',
        datesubmitted: null,
        dategraded: 1_740_000_000,
      });
    }
  }
});
