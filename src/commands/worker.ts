import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createMoodleClient } from '../moodle';
import { createStores, ensureIndexes } from '../store';
import { connectDatabase } from '../store/mongo';
import { connectClient } from '../temporal/client';
import { ensureSchedules, scheduleSettings } from '../temporal/schedules';
import { createWorker } from '../temporal/worker';

export async function runWorkerCommand(): Promise<void> {
  const config = loadConfig(process.env, { require: ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN'] });
  const log = createLogger(config.logLevel, { role: 'worker' });
  const database = await connectDatabase(config.mongo.uri as string, config.mongo.database);
  const stores = createStores(database.db);
  await ensureIndexes(stores);
  const moodle = createMoodleClient({
    url: config.moodle.url as string,
    token: config.moodle.token!,
    timeoutMs: config.moodle.timeoutMs,
    maxConnections: config.moodle.maxConnections,
  });
  const address = config.temporal.address as string;
  const connection = await NativeConnection.connect({ address });
  const client = await connectClient(address, config.temporal.namespace);
  try {
    const schedules = await ensureSchedules(client, scheduleSettings(config));
    log.info(schedules, 'schedules ensured');
    const worker = await createWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivities({
        stores,
        moodle,
        now: () => new Date(),
        deletionGuardRatio: config.sync.deletionGuardRatio,
        perStudent: config.sync.perStudent,
      }),
    });
    log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
    // The SDK's runtime drains the worker on SIGINT/SIGTERM, which ends run().
    await worker.run();
    log.info('worker stopped');
  } finally {
    await client.connection.close();
    await connection.close();
    await moodle.close();
    await database.close();
  }
}
