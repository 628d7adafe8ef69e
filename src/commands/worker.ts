import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openConnections } from '../services/connections';
import { startWorkerService } from '../services/worker';
import { installTemporalLogging } from '../temporal/runtime';

export async function runWorkerCommand(): Promise<void> {
  const config = loadConfig(process.env, {
    require: ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN'],
  });
  const log = createLogger(config.logLevel, { role: 'worker' });
  installTemporalLogging(log);
  const connections = await openConnections(config);
  try {
    const worker = await startWorkerService(config, connections, { log });
    // The SDK's runtime drains the worker on SIGINT/SIGTERM, which ends it.
    await worker.done;
    log.info('worker stopped');
  } finally {
    await connections.close();
  }
}
