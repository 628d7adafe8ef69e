import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { exitCleanlyOnSignals } from '../local/processes';
import { startApiService } from '../services/api';
import { openConnections } from '../services/connections';

export async function runApiCommand(): Promise<void> {
  const config = loadConfig(process.env, {
    require: ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN', 'API_KEYS'],
  });
  const log = createLogger(config.logLevel, { role: 'api' });
  const connections = await openConnections(config);
  const server = await startApiService(config, connections, { log });
  exitCleanlyOnSignals(async () => {
    await server.close();
    await connections.close();
    log.info('API stopped');
  });
}
