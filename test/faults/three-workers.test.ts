import { generateSite } from '../../src/moodle-sim';
import { SCHEDULE_IDS } from '../../src/temporal/workflow-ids';
import { courseActivities } from '../support/course-activities';
import { expectEnrollmentsFromModel } from '../support/enrollments-from-model';
import { expectRunToldEverywhere } from '../support/run-truth';
import { triggerScheduledRun } from '../support/schedule-runs';
import { enrollEveryStudent, type ServiceStack } from '../support/service-stack';
import { startStackOnOwnTemporal } from '../support/stack-on-own-temporal';
import { spawnArmedWorker, workerEnvironment, type ArmedWorker } from '../support/worker-processes';

const TOKEN = '3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e';
const WORKERS = 3;
const COURSES = 9;

/**
 * Fault row "three workers started at once": a deploy of three replicas, each `sms-sync worker` (in a
 * process of its own) ensuring the schedules at start, on a Temporal server whose schedules do not
 * exist yet. Their start is released in the same instant, once all three have their connections open.
 */
describe('three workers started at once on one task queue', () => {
  let stack: ServiceStack;
  const workers: ArmedWorker[] = [];

  beforeAll(async () => {
    stack = await startStackOnOwnTemporal({
      site: generateSite({ seed: 'three-workers', courses: COURSES, studentsPerCourse: 4, activitiesPerCourse: 4 }),
      token: TOKEN,
      name: 'three_workers',
    });
    // The stack's own worker created the schedules: remove them, and it, so the three race to create them.
    await stack.worker.stop();
    for (const scheduleId of Object.values(SCHEDULE_IDS)) {
      await stack.connections.temporal.schedule.getHandle(scheduleId).delete();
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await stack?.close();
  });

  it('creates each schedule once, without an error, and syncs every course once per run', async () => {
    const env = workerEnvironment(stack);
    workers.push(...(await Promise.all(Array.from({ length: WORKERS }, () => spawnArmedWorker(env)))));
    for (const worker of workers) worker.start();
    await Promise.all(workers.map((worker) => worker.waitForLog('worker started', 120_000)));

    const { temporal } = stack.connections;
    const schedules: string[] = [];
    for await (const schedule of temporal.schedule.list()) schedules.push(schedule.scheduleId);
    expect(schedules.sort()).toEqual(Object.values(SCHEDULE_IDS).sort());
    for (const worker of workers) {
      expect(worker.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
    }

    const { enrollments } = await enrollEveryStudent(stack);
    const startedAt = new Date();
    const run = await triggerScheduledRun(temporal, SCHEDULE_IDS.enrollmentSync);
    expect(await run.result()).toMatchObject({
      outcome: 'SUCCEEDED',
      counts: { coursesToSync: COURSES, coursesSynced: COURSES, coursesFailed: 0, coursesBusy: 0 },
    });
    const activities = await courseActivities(temporal, run.workflowId);
    expect(activities.map((activity) => activity.courseId).sort()).toEqual(
      [...new Set(activities.map((activity) => activity.courseId))].sort(),
    );
    expect(activities).toHaveLength(COURSES);
    for (const activity of activities) expect(activity).toMatchObject({ outcome: 'completed', attempt: 1 });
    await expectEnrollmentsFromModel(stack.connections.stores, stack.sim.site, { enrollments, since: startedAt });
    await expectRunToldEverywhere(stack, run.workflowId, 'SUCCEEDED');
    await stack.expectNoSecretsLeaked();

    for (const exit of await Promise.all(workers.map((worker) => worker.stop('SIGTERM')))) {
      expect(exit).toMatchObject({ code: 0, signal: null });
    }
  }, 300_000);
});
