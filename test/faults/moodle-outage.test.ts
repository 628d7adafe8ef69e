import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { generateSite } from '../../src/moodle-sim';
import { SCHEDULE_IDS } from '../../src/temporal/workflow-ids';
import { readSyncStatus } from '../../src/use-cases/sync-status';
import { enrollmentSyncWorkflow } from '../../workflows';
import { SYNC_OUTCOME } from '../../workflows/search-attributes';
import { MOODLE_ACTIVITY_RETRY } from '../../workflows/settings';
import { uniqueName } from '../support/environment';
import { regrade } from '../support/regrade';
import { expectRunToldEverywhere } from '../support/run-truth';
import { triggerScheduledRun } from '../support/schedule-runs';
import { enrollEveryStudent, type ServiceStack } from '../support/service-stack';
import { smsSnapshot } from '../support/sms-snapshot';
import { startStackOnOwnTemporal } from '../support/stack-on-own-temporal';

const TOKEN = '0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a';
const COURSES = 4;
const GRADE_REPORT = 'gradereport_user_get_grade_items';
const SITE_INFO = 'core_webservice_get_site_info';

/**
 * What a Moodle activity waits between its attempts before Temporal gives up (workflows/settings.ts):
 * 1 + 2 + 4 + 8 + 16 = 31 s between six attempts. Calls that are refused or answered 503 fail at once,
 * so this is nearly all of a run that meets an outage.
 */
const RETRY_BACKOFF_MS = Array.from({ length: MOODLE_ACTIVITY_RETRY.maximumAttempts - 1 }, (_, attempt) =>
  Math.min(
    MOODLE_ACTIVITY_RETRY.initialInterval * MOODLE_ACTIVITY_RETRY.backoffCoefficient ** attempt,
    MOODLE_ACTIVITY_RETRY.maximumInterval,
  ),
).reduce((sum, wait) => sum + wait, 0);
/** Moodle's host is gone (connections refused) this long, then answers "503 Moodle under maintenance". */
const REFUSED_MS = 10_000;
/** On top of the back-off: workflow tasks, bookkeeping activities, a machine shared with other tests. */
const SLACK_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fault row "Moodle down for a long time": the simulator's port is closed, then it comes back in CLI
 * maintenance mode (HTTP 503), for longer than the activity retry budget. The service is the worker
 * and the API as `sms-sync worker` and `sms-sync api` start them; its runs are started by its own
 * schedules, triggered as their next interval would.
 */
describe('Moodle down for longer than the activity retry budget', () => {
  let stack: ServiceStack;
  let courseIds: number[];

  beforeAll(async () => {
    stack = await startStackOnOwnTemporal({
      site: generateSite({ seed: 'moodle-outage', courses: COURSES, studentsPerCourse: 4, activitiesPerCourse: 4 }),
      token: TOKEN,
      name: 'moodle_outage',
    });
    ({ courseIds } = await enrollEveryStudent(stack));
    const first = await stack.connections.temporal.workflow.execute(enrollmentSyncWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: uniqueName('enrollment-sync-first'),
      args: [{ trigger: 'MANUAL' }],
    });
    expect(first.outcome).toBe('SUCCEEDED');
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  /** How long the run took, from its start to its close, as the Temporal UI shows it. */
  async function durationMs(handle: WorkflowHandle): Promise<number> {
    const { startTime, closeTime } = await handle.describe();
    return closeTime!.getTime() - startTime.getTime();
  }

  /** The highest attempt any activity of the run got to. */
  async function lastAttempt(handle: WorkflowHandle): Promise<number> {
    const { events } = await handle.fetchHistory();
    return Math.max(...(events ?? []).map((event) => event.activityTaskStartedEventAttributes?.attempt ?? 0));
  }

  /** Ends the outage `REFUSED_MS` after it began: the host answers again, in CLI maintenance mode. */
  async function comeBackInMaintenance(outageStart: number): Promise<void> {
    await sleep(REFUSED_MS - (Date.now() - outageStart));
    stack.sim.faults.set({ cliMaintenance: true });
    await stack.sim.listenAgain();
  }

  it(
    'fails the course and the enrollment sync once their retries are spent, saying why, changes nothing, ' +
      'and the next scheduled runs recover by themselves',
    async () => {
      const { stores, temporal } = stack.connections;
      const before = await smsSnapshot(stores);
      const coursesBefore = await stores.courses.collection.find({}).sort({ _id: 1 }).toArray();
      // A grade given during the outage: the failed runs cannot see it, the recovering one must.
      const [courseId] = courseIds as [number];
      const [student] = stack.sim.site.students(courseId);
      regrade(stack.sim.site, courseId, student!.id);

      const siteInfoCallsBefore = stack.sim.calls.get(SITE_INFO);
      await stack.sim.stopListening();
      const outageStart = Date.now();
      const courseRun = await triggerScheduledRun(temporal, SCHEDULE_IDS.courseSync);
      const enrollmentRun = await triggerScheduledRun(temporal, SCHEDULE_IDS.enrollmentSync);
      await comeBackInMaintenance(outageStart);
      const outcomes = await Promise.allSettled([courseRun.result(), enrollmentRun.result()]);
      const durations = await Promise.all([courseRun, enrollmentRun].map(durationMs));
      console.info(
        `Moodle refused connections for ${REFUSED_MS} ms, then answered 503 maintenance; retry back-off ` +
          `${RETRY_BACKOFF_MS} ms; course sync failed after ${durations[0]} ms, enrollment sync after ${durations[1]} ms`,
      );

      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(WorkflowFailedError) });
      }
      for (const [index, handle] of [courseRun, enrollmentRun].entries()) {
        // Every attempt of the budget was spent (the preflight's: the runs stopped there), and no more.
        expect(await lastAttempt(handle)).toBe(MOODLE_ACTIVITY_RETRY.maximumAttempts);
        expect(durations[index]).toBeGreaterThanOrEqual(RETRY_BACKOFF_MS);
        expect(durations[index]).toBeLessThan(RETRY_BACKOFF_MS + SLACK_MS);
        const runs = await stores.syncRuns.collection.find({ workflowId: handle.workflowId }).toArray();
        expect(runs).toMatchObject([{ outcome: 'FAILED', error: { code: 'MOODLE_MAINTENANCE' } }]);
        expect(runs[0]?.error?.message).toMatch(/HTTP 503 \(".* under maintenance"\): it is in maintenance mode/);
        const { typedSearchAttributes, status } = await handle.describe();
        expect(status.name).toBe('FAILED');
        expect(typedSearchAttributes.get(SYNC_OUTCOME)).toBe('FAILED');
      }
      // The first attempts of each run were refused; the later ones reached the site in maintenance.
      const reached = stack.sim.calls.get(SITE_INFO) - siteInfoCallsBefore;
      expect(reached).toBeGreaterThan(0);
      expect(reached).toBeLessThan(2 * MOODLE_ACTIVITY_RETRY.maximumAttempts);

      const { state } = await readSyncStatus(stores, new Date(), stack.config.sync);
      expect(state).toMatchObject({ status: 'FAILING', cause: 'MOODLE_UNREACHABLE' });
      expect(state.message).toMatch(/^Moodle is unreachable or not answering: .*maintenance mode/);
      const shown = await stack.read<{ syncStatus: Record<string, unknown> }>(
        '{ syncStatus { connection cause lastCourseSync { outcome } lastEnrollmentSync { workflowId outcome } } }',
      );
      expect(shown.body.data?.syncStatus).toEqual({
        connection: 'FAILING',
        cause: 'MOODLE_UNREACHABLE',
        lastCourseSync: { outcome: 'FAILED' },
        lastEnrollmentSync: { workflowId: enrollmentRun.workflowId, outcome: 'FAILED' },
      });
      // Nothing was written meanwhile: no enrollment, report card or course changed, none lost or added.
      expect(await smsSnapshot(stores)).toEqual(before);
      expect(await stores.courses.collection.find({}).sort({ _id: 1 }).toArray()).toEqual(coursesBefore);

      // Moodle is back: the next scheduled runs recover without anyone replaying anything.
      stack.sim.faults.reset();
      const recoveringAt = new Date();
      await (await triggerScheduledRun(temporal, SCHEDULE_IDS.courseSync)).result();
      const recovery = await triggerScheduledRun(temporal, SCHEDULE_IDS.enrollmentSync);
      expect(await recovery.result()).toMatchObject({
        outcome: 'SUCCEEDED',
        counts: { coursesSynced: COURSES, enrollmentsChanged: 1, enrollmentsFailed: 0 },
      });
      await expectRunToldEverywhere(stack, recovery.workflowId, 'SUCCEEDED');
      const regraded = await stores.enrollments.collection.findOne({ courseId, moodleUserId: student!.id });
      expect(regraded!.lastSyncedAt!.getTime()).toBeGreaterThanOrEqual(recoveringAt.getTime());
      const after = await smsSnapshot(stores);
      expect(after.enrollments).toHaveLength(before.enrollments.length);
      expect(after.reportCards).toHaveLength(before.reportCards.length);
    },
    RETRY_BACKOFF_MS + SLACK_MS + 60_000,
  );

  it(
    'fails each course once its retries are spent when Moodle goes away after the preflight, ' +
      'and the next scheduled run syncs them all',
    async () => {
      const { stores, temporal } = stack.connections;
      const before = await smsSnapshot(stores);
      let outageStart: number | undefined;
      // The preflight passed and the courses are being read: now the host goes away.
      const stopListening = stack.sim.onCall(({ wsfunction }) => {
        if (outageStart !== undefined || wsfunction !== GRADE_REPORT) return;
        outageStart = Date.now();
        void stack.sim.stopListening();
      });

      const run = await triggerScheduledRun(temporal, SCHEDULE_IDS.enrollmentSync);
      while (outageStart === undefined) await sleep(20);
      stopListening();
      await comeBackInMaintenance(outageStart);
      const result = await run.result();
      const tookMs = await durationMs(run);
      console.info(
        `Moodle went away after the preflight for ${REFUSED_MS} ms, then answered 503 maintenance; ` +
          `the run finished ${result.outcome} after ${tookMs} ms (retry back-off ${RETRY_BACKOFF_MS} ms)`,
      );

      expect(result).toMatchObject({
        outcome: 'PARTIAL',
        counts: { coursesToSync: COURSES, coursesSynced: 0, coursesFailed: COURSES, coursesDenied: 0 },
      });
      // The courses' activities ran in the batch child, each to the last attempt of the budget.
      expect(await lastAttempt(temporal.workflow.getHandle(`${run.workflowId}-batch-1`))).toBe(
        MOODLE_ACTIVITY_RETRY.maximumAttempts,
      );
      expect(tookMs).toBeGreaterThanOrEqual(RETRY_BACKOFF_MS);
      expect(tookMs).toBeLessThan(RETRY_BACKOFF_MS + SLACK_MS);
      const errors = await stores.syncErrors.open();
      expect(errors.map((error) => [error.courseId, error.code]).sort()).toEqual(
        courseIds.map((id) => [id, 'MOODLE_MAINTENANCE']).sort(),
      );
      await expectRunToldEverywhere(stack, run.workflowId, 'PARTIAL');
      const { state } = await readSyncStatus(stores, new Date(), stack.config.sync);
      expect(state.message).toMatch(
        new RegExp(`^${COURSES} courses failing to sync\\. Most often \\(MOODLE_MAINTENANCE\\): Moodle is unreachable`),
      );
      expect(await smsSnapshot(stores)).toEqual(before);

      stack.sim.faults.reset();
      const recovery = await triggerScheduledRun(temporal, SCHEDULE_IDS.enrollmentSync);
      expect(await recovery.result()).toMatchObject({ outcome: 'SUCCEEDED', counts: { coursesSynced: COURSES } });
      await expectRunToldEverywhere(stack, recovery.workflowId, 'SUCCEEDED');
      expect(await stores.syncErrors.open()).toEqual([]);
      expect(await smsSnapshot(stores)).toEqual(before);
      await stack.expectNoSecretsLeaked();
    },
    RETRY_BACKOFF_MS + SLACK_MS + 60_000,
  );
});
