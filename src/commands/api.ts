import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { exitCleanlyOnSignals } from '../local/processes';
import { startApiService } from '../services/api';
import { openConnections } from '../services/connections';
import { startTracing } from '../telemetry/tracing';

export async function runApiCommand(): Promise<void> {
  const config = loadConfig(process.env, {
    require: ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN', 'API_KEYS'],
  });
  const log = createLogger(config.logLevel, { role: 'api' });
  // Before anything connects: the Temporal client and the database pick it up as they are made.
  const tracing = startTracing(config.tracing, log);
  const connections = await openConnections(config, tracing.databaseOptions);
  tracing.traceDatabase(connections.database.client);
  const server = await startApiService(config, connections, { log });
  exitCleanlyOnSignals(async () => {
    await server.close();
    await connections.close();
    await tracing.shutdown();
    log.info('API stopped');
  });
}
