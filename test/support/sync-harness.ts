import { DEFAULT_MOODLE_CLIENT_SETTINGS } from './moodle-defaults';
import type { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { createMoodleClient, type MoodleClient } from '../../src/moodle';
import { startMoodleSimulator, type MoodleSimulator, type SiteModel } from '../../src/moodle-sim';
import { Secret } from '../../src/secret';
import { createStores, ensureIndexes, type Stores } from '../../src/store';
import type { Database } from '../../src/store/mongo';
import { createWorker } from '../../src/temporal/worker';
import { courseSyncWorkflow, enrollmentSyncWorkflow } from '../../workflows';
import type { EnrollmentSyncInput } from '../../workflows/enrollment-sync';
import { openTemporal, openTestDatabase, uniqueName, workflowBundlePath, type TestTemporal } from './environment';

/**
 * The real stack a sync test runs on: the shared Temporal dev server and
 * FerretDB (with a task queue and a database of the test's own), a Moodle
 * simulator serving `site`, the Moodle client, and a running worker.
 */
export interface SyncHarness {
  temporal: TestTemporal;
  database: Database;
  stores: Stores;
  sim: MoodleSimulator;
  moodle: MoodleClient;
  token: string;
  worker: Worker;
  /** Another worker on the harness's task queue, built as `worker` was (after a test stopped that one). */
  newWorker(): Promise<Worker>;
  runCourseSync(): ReturnType<typeof executeCourseSync>;
  runEnrollmentSync(input?: EnrollmentSyncInput, workflowId?: string): ReturnType<typeof executeEnrollmentSync>;
  close(): Promise<void>;
}

function executeCourseSync(temporal: TestTemporal) {
  return temporal.client.workflow.execute(courseSyncWorkflow, {
    taskQueue: temporal.taskQueue,
    workflowId: uniqueName('course-sync-test'),
    args: [{ trigger: 'MANUAL' }],
  });
}

function executeEnrollmentSync(temporal: TestTemporal, input: EnrollmentSyncInput, workflowId: string) {
  return temporal.client.workflow.execute(enrollmentSyncWorkflow, {
    taskQueue: temporal.taskQueue,
    workflowId,
    args: [{ trigger: 'MANUAL', ...input }],
  });
}

export interface SyncHarnessOptions {
  site: SiteModel;
  token: string;
  moodleTimeoutMs?: number;
  activities?: Partial<Pick<ActivityDeps, 'deletionGuardRatio' | 'perStudent' | 'courseBusyRetryMs'>>;
}

export async function startSyncHarness(options: SyncHarnessOptions): Promise<SyncHarness> {
  const temporal = await openTemporal();
  const database = await openTestDatabase();
  const stores = createStores(database);
  await ensureIndexes(stores);
  const sim = await startMoodleSimulator({ site: options.site, token: options.token });
  const moodle = createMoodleClient({
    ...DEFAULT_MOODLE_CLIENT_SETTINGS,
    url: sim.url,
    token: new Secret(options.token),
    timeoutMs: options.moodleTimeoutMs ?? 2_000,
  });
  const newWorker = () =>
    createWorker({
      connection: temporal.connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      activities: createActivities({
        stores,
        moodle,
        now: () => new Date(),
        deletionGuardRatio: 0.5,
        ...options.activities,
      }),
      workflowBundlePath: workflowBundlePath(),
    });
  const worker = await newWorker();
  const workerRun = worker.run();
  return {
    temporal,
    database,
    stores,
    sim,
    moodle,
    token: options.token,
    worker,
    newWorker,
    runCourseSync: () => executeCourseSync(temporal),
    runEnrollmentSync: (input = {}, workflowId = uniqueName('enrollment-sync-test')) =>
      executeEnrollmentSync(temporal, input, workflowId),
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await moodle.close();
      await sim.close();
      await database.close();
      await temporal.close();
    },
  };
}
