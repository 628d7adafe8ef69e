import { GracefulShutdownPeriodExpiredError } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openConnections } from '../services/connections';
import { startWorkerService } from '../services/worker';
import { startTracing } from '../telemetry/tracing';
import { installTemporalRuntime } from '../temporal/runtime';
import { SHUTDOWN_FORCE_MS } from '../temporal/worker';
import { CommandError } from './exit-codes';

export async function runWorkerCommand(): Promise<void> {
  const config = loadConfig(process.env, {
    require: ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN'],
  });
  const log = createLogger(config.logLevel, { role: 'worker' });
  const temporal = await installTemporalRuntime(log, { metrics: config.metrics.workerPort !== undefined });
  // Before anything connects: the Temporal client, the worker and the database pick it up as they are made.
  const tracing = startTracing(config.tracing, log);
  try {
    const connections = await openConnections(config, tracing.databaseOptions);
    tracing.traceDatabase(connections.database.client);
    try {
      const worker = await startWorkerService(config, connections, { log, temporalMetricsUrl: temporal.metricsUrl });
      // The SDK's runtime drains the worker on SIGINT/SIGTERM, which ends it.
      await worker.done.catch((error: unknown) => {
        if (!(error instanceof GracefulShutdownPeriodExpiredError)) throw error;
        throw new CommandError(
          `The worker stopped with courses still running, ${SHUTDOWN_FORCE_MS / 1000} s after it was asked to: ` +
            'Temporal retries them on another worker once their heartbeat times out.',
        );
      });
      log.info('worker stopped');
    } finally {
      await connections.close();
    }
  } finally {
    await tracing.shutdown();
  }
}
