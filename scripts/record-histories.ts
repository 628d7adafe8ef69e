import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig } from '../src/config';
import { seedDemoEnrollments } from '../src/local/dev-stack';
import { exitCleanlyOnSignals } from '../src/local/processes';
import { startLocalServices } from '../src/local/services';
import { createMoodleClient } from '../src/moodle';
import { generateSite, startMoodleSimulator } from '../src/moodle-sim';
import { Secret } from '../src/secret';
import { createStores, ensureIndexes } from '../src/store';
import { connectDatabase } from '../src/store/mongo';
import { connectClient } from '../src/temporal/client';
import { createWorker } from '../src/temporal/worker';
import { courseSyncWorkflow, enrollmentSyncWorkflow } from '../workflows';

/**
 * Records the histories that test/integration/replay.test.ts replays: one run
 * of every path through the workflows (success, a permission failure, a
 * batched enrollment sync with a failing course). Re-record after an
 * intentionally incompatible workflow change — and ship that change on a new
 * task queue (TEMPORAL_TASK_QUEUE), since running histories could not replay.
 */
export const HISTORIES_DIR = path.join(__dirname, '..', 'test', 'fixtures', 'histories');

const TOKEN = 'feedface0000feedface0000feedface';
const TASK_QUEUE = 'record-histories';

async function save(client: Client, name: string, workflowId: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(
    path.join(HISTORIES_DIR, `${name}.json`),
    `${JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) })}\n`,
  );
  console.log(`recorded ${name} (${history.events?.length ?? 0} events)`);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  exitCleanlyOnSignals();
  const config = loadConfig();
  const services = await startLocalServices(config);
  const sim = await startMoodleSimulator({
    site: generateSite({ seed: 'histories', courses: 4, studentsPerCourse: 3, activitiesPerCourse: 4 }),
    token: TOKEN,
  });
  const database = await connectDatabase(services.mongoUri, `histories_${Date.now()}`);
  const stores = createStores(database);
  await ensureIndexes(stores);
  const moodle = createMoodleClient({
    url: sim.url,
    token: new Secret(TOKEN),
    timeoutMs: config.moodle.timeoutMs,
    maxConnections: config.moodle.maxConnections,
  });
  const connection = await NativeConnection.connect({ address: services.temporalAddress });
  const client = await connectClient(services.temporalAddress, config.temporal.namespace);
  try {
    const worker = await createWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: TASK_QUEUE,
      activities: createActivities({ stores, moodle, now: () => new Date(), deletionGuardRatio: 0.5 }),
    });
    mkdirSync(HISTORIES_DIR, { recursive: true });
    await worker.runUntil(async () => {
      const run = async (name: string, start: () => Promise<unknown>) => {
        await start().catch(() => undefined);
        await save(client, name, name);
      };
      await run('course-sync', () =>
        client.workflow.execute(courseSyncWorkflow, {
          taskQueue: TASK_QUEUE,
          workflowId: 'course-sync',
          args: [{ trigger: 'MANUAL' }],
        }),
      );
      sim.site.revokeToken();
      await run('course-sync-token-revoked', () =>
        client.workflow.execute(courseSyncWorkflow, {
          taskQueue: TASK_QUEUE,
          workflowId: 'course-sync-token-revoked',
          args: [{}],
        }),
      );
      sim.site.restoreToken();
      await seedDemoEnrollments(stores, sim.site, new Date());
      const [denied] = sim.site.courses().filter((course) => course.format !== 'site');
      sim.site.denyCourseAccess(denied!.id);
      await run('enrollment-sync', () =>
        client.workflow.execute(enrollmentSyncWorkflow, {
          taskQueue: TASK_QUEUE,
          workflowId: 'enrollment-sync',
          args: [{ trigger: 'MANUAL', concurrency: 2, batchSize: 2 }],
        }),
      );
      await save(client, 'enrollment-sync-batch-1', 'enrollment-sync-batch-1');
    });
  } finally {
    await client.connection.close();
    await connection.close();
    await moodle.close();
    await database.db.dropDatabase();
    await database.close();
    await sim.close();
    await services.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
