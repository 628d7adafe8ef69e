/**
 * A worker in a process of its own, so a test can kill it with SIGKILL in
 * the middle of a sync (run with tsx). Configured like the real worker from
 * the environment, plus the prebuilt workflow bundle; prints "ready" once
 * it polls.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { loadConfig } from '../../src/config';
import { createMoodleClient } from '../../src/moodle';
import { createStores } from '../../src/store';
import { connectDatabase } from '../../src/store/mongo';
import { workflowBundlePath } from './environment';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = loadConfig(process.env, {
    require: ['MONGODB_URI', 'MONGODB_DB', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'MOODLE_URL', 'MOODLE_TOKEN'],
  });
  const database = await connectDatabase(config.mongo.uri, config.mongo.database);
  const moodle = createMoodleClient(config.moodle);
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: config.temporal.address }),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({
      stores: createStores(database),
      moodle,
      now: () => new Date(),
      deletionGuardRatio: 0.5,
    }),
    workflowBundle: { codePath: workflowBundlePath() },
    // A killed worker's workflows go back to the shared queue after this, not the default 10 s.
    stickyQueueScheduleToStartTimeout: '1s',
  });
  process.stdout.write('ready\n');
  await worker.run();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
