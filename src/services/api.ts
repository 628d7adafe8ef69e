import { createApp } from '../api/app';
import { startApiServer, type ApiServer } from '../api/server';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { temporalSyncLauncher } from '../temporal/launcher';
import type { Connections } from './connections';

/** `sms-sync api` listens here when API_PORT is not set. */
export const DEFAULT_API_PORT = 4000;

/** Serves the GraphQL API over the given connections. */
export async function startApiService(
  config: Config,
  connections: Connections,
  options: { log: Logger; port?: number },
): Promise<ApiServer> {
  const now = () => new Date();
  const app = createApp({
    stores: connections.stores,
    moodle: connections.moodle,
    syncs: temporalSyncLauncher(connections.temporal, config, now),
    now,
    apiKeys: config.api.keys,
    graphiql: config.api.graphiql,
    logger: options.log,
  });
  const server = await startApiServer(app, {
    host: config.api.host,
    port: options.port ?? config.api.port ?? DEFAULT_API_PORT,
    isReady: async () => {
      await connections.database.db.command({ ping: 1 });
      await connections.temporal.workflowService.getSystemInfo({});
      return true;
    },
  });
  options.log.info({ url: server.url }, 'GraphQL API listening');
  return server;
}
