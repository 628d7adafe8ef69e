import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { connectDatabase } from '../store/mongo';
import { createWorker } from '../temporal/worker';

export async function runWorkerCommand(): Promise<void> {
  const config = loadConfig(process.env, { require: ['MONGODB_URI', 'TEMPORAL_ADDRESS'] });
  const log = createLogger(config.logLevel, { role: 'worker' });
  const database = await connectDatabase(config.mongo.uri as string, config.mongo.database);
  const connection = await NativeConnection.connect({ address: config.temporal.address as string });
  try {
    const worker = await createWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivities({ db: database.db, now: () => new Date() }),
    });
    log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
    // The SDK's runtime drains the worker on SIGINT/SIGTERM, which ends run().
    await worker.run();
    log.info('worker stopped');
  } finally {
    await connection.close();
    await database.close();
  }
}
