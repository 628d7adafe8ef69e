import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { generateSite } from '../../src/moodle-sim';
import { enrollmentSyncWorkflow } from '../../workflows';
import { testConfig, uniqueName } from '../support/environment';
import { expectEnrollmentsFromModel } from '../support/enrollments-from-model';
import { startRestartableTemporal, type RestartableTemporal } from '../support/restartable-servers';
import { expectRunToldEverywhere } from '../support/run-truth';
import { enrollEveryStudent, startServiceStack, type ServiceStack } from '../support/service-stack';

const TOKEN = '7e3b0a7d7e3b0a7d7e3b0a7d7e3b0a7d';
const COURSES = 12;
/** Each Moodle answer takes this long, so that the sync is surely in flight when the server dies. */
const MOODLE_LATENCY_MS = 700;
/** How long Temporal stays down: a few seconds of failed polls, heartbeats and completions. */
const OUTAGE_MS = 5_000;
/** Two lanes and batches of four: several child workflows, some done and some not when the server dies. */
const TUNING = { concurrency: 2, batchSize: 4, heartbeatTimeoutMs: 5_000 };

/** `TaskQueueType` WORKFLOW and ACTIVITY (temporal.api.enums.v1), without a dependency on the proto package. */
const TASK_QUEUE_TYPES = [1, 2] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fault row "Temporal server restarted": a Temporal dev server of this file's own, on a SQLite file,
 * is killed with SIGKILL in the middle of an enrollment sync and started again on the same port. The
 * worker (as `sms-sync worker` starts it) and the API are not told anything.
 */
describe('Temporal server restarted in the middle of an enrollment sync', () => {
  let stateDir: string;
  let server: RestartableTemporal;
  let stack: ServiceStack;
  let enrollments: number;

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'sms-fault-temporal-'));
    server = await startRestartableTemporal(loadConfig(), path.join(stateDir, 'temporal.db'));
    stack = await startServiceStack({
      temporalAddress: server.address,
      mongoUri: testConfig().mongo.uri,
      site: generateSite({ seed: 'temporal-restart', courses: COURSES, studentsPerCourse: 5, activitiesPerCourse: 5 }),
      token: TOKEN,
      name: 'temporal_restart',
    });
    ({ enrollments } = await enrollEveryStudent(stack));
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await server?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  /** Whether the worker polls the task queue for both kinds of task (the server knows pollers since its start). */
  async function workerPolls(): Promise<boolean> {
    const { temporal } = stack.connections;
    const answers = await Promise.all(
      TASK_QUEUE_TYPES.map((taskQueueType) =>
        temporal.workflowService.describeTaskQueue({
          namespace: stack.config.temporal.namespace,
          taskQueue: { name: stack.config.temporal.taskQueue },
          taskQueueType,
        }),
      ),
    );
    return answers.every((answer) => (answer.pollers ?? []).length > 0);
  }

  async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
    const start = Date.now();
    while (!(await condition().catch(() => false))) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(100);
    }
    return Date.now() - start;
  }

  it('resumes the run by itself once the server is back, syncing every enrollment once, and reads go on meanwhile', async () => {
    const { stores, temporal } = stack.connections;
    const writtenSince = (since: Date) => stores.enrollments.collection.countDocuments({ updatedAt: { $gt: since } });
    stack.sim.faults.set({ latencyMs: MOODLE_LATENCY_MS });
    const startedAt = new Date();
    const workflowId = uniqueName('enrollment-sync-temporal-restart');
    const handle = await temporal.workflow.start(enrollmentSyncWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId,
      args: [{ trigger: 'MANUAL', ...TUNING }],
    });
    await waitFor(async () => (await writtenSince(startedAt)) > 0, 30_000, 'the first course written');

    await server.kill();
    const killedAt = Date.now();
    const writtenAtKill = await writtenSince(startedAt);
    expect(writtenAtKill).toBeLessThan(enrollments);

    // The API's reads need MongoDB only: answered in full while Temporal is down.
    const courses = await stack.read<{ courses: { edges: unknown[] } }>('{ courses(first: 50) { edges { cursor } } }');
    expect(courses.status).toBe(200);
    expect(courses.body.errors).toBeUndefined();
    expect(courses.body.data?.courses.edges).toHaveLength(COURSES);
    const listed = await stack.read<{ enrollments: { edges: { node: { id: string } }[] } }>(
      '{ enrollments(first: 100) { edges { node { id progress { percent } } } } }',
    );
    expect(listed.status).toBe(200);
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data?.enrollments.edges).toHaveLength(enrollments);
    const status = await stack.read<{ syncStatus: { lastEnrollmentSync: unknown } }>(
      '{ syncStatus { lastEnrollmentSync { workflowId outcome } } }',
    );
    expect(status.body.data?.syncStatus.lastEnrollmentSync).toEqual({ workflowId, outcome: 'RUNNING' });

    await sleep(OUTAGE_MS - (Date.now() - killedAt));
    const restartAt = Date.now();
    await server.restart();
    const backAt = new Date();
    const downMs = backAt.getTime() - killedAt;
    const startupMs = backAt.getTime() - restartAt;
    const resumeMs = await waitFor(workerPolls, 30_000, 'the worker to poll again');

    const result = await handle.result();
    const finishMs = Date.now() - backAt.getTime();
    stack.sim.faults.reset();
    console.info(
      `Temporal down ${downMs} ms (killed with ${writtenAtKill}/${enrollments} enrollments written; ` +
        `${startupMs} ms of it the restarted server starting); worker polling again ${resumeMs} ms after ` +
        `the server answered; run finished ${finishMs} ms after it`,
    );

    expect(result).toMatchObject({
      outcome: 'SUCCEEDED',
      counts: { coursesToSync: COURSES, coursesSynced: COURSES, coursesFailed: 0, enrollmentsFailed: 0 },
    });
    // Each enrollment counted once by the attempt that completed its course: written then, or already
    // written by an attempt whose completion the dead server never received (then unchanged).
    expect(result.counts.enrollmentsChanged + result.counts.enrollmentsUnchanged).toBe(enrollments);
    // Courses were still being synced after the restart: the run did resume, it had not just finished.
    expect(await writtenSince(backAt)).toBeGreaterThan(0);
    await expectEnrollmentsFromModel(stores, stack.sim.site, { enrollments, since: startedAt });
    expect(await stores.syncErrors.open()).toEqual([]);
    await expectRunToldEverywhere(stack, workflowId, 'SUCCEEDED');
    expect(resumeMs).toBeLessThan(20_000);
    await stack.expectNoSecretsLeaked();
  }, 90_000);
});
