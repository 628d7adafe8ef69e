import { createApp } from '../api/app';
import { startApiServer, type ApiServer } from '../api/server';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { graphqlOperationRecorder, moodleEventRecorder } from '../metrics/graphql-operations';
import { temporalSyncLauncher } from '../temporal/launcher';
import type { Connections } from './connections';
import { startServiceMetrics } from './metrics';

/** `sms-sync api` listens here when API_PORT is not set. */
export const DEFAULT_API_PORT = 4000;

export interface ApiService extends ApiServer {
  /** Its /metrics (`http://host:port/metrics`); absent when API_METRICS_PORT is not set. */
  readonly metricsUrl?: string;
}

/** Serves the GraphQL API over the given connections, and its metrics on a listener of their own. */
export async function startApiService(
  config: Config,
  connections: Connections,
  options: { log: Logger; port?: number },
): Promise<ApiService> {
  const metrics = await startServiceMetrics('api', config, connections, { log: options.log });
  const now = () => new Date();
  const app = createApp({
    stores: connections.stores,
    moodle: connections.moodle,
    syncs: temporalSyncLauncher(connections.temporal, config, now),
    now,
    syncIntervals: config.sync,
    apiKeys: config.api.keys,
    graphiql: config.api.graphiql,
    logger: options.log,
    moodleHooks: {
      secret: config.hooks.secret,
      rateLimit: { perMinute: config.hooks.ratePerMinute },
      ...(metrics && { observe: moodleEventRecorder(metrics.metrics) }),
    },
    ...(metrics && { observeOperation: graphqlOperationRecorder(metrics.metrics) }),
  });
  const server = await startApiServer(app, {
    host: config.api.host,
    port: options.port ?? config.api.port ?? DEFAULT_API_PORT,
    isReady: async () => {
      await connections.database.db.command({ ping: 1 });
      await connections.temporal.workflowService.getSystemInfo({});
      return true;
    },
  }).catch(async (error: unknown) => {
    await metrics?.close();
    throw error;
  });
  options.log.info({ url: server.url }, 'GraphQL API listening');
  return {
    ...server,
    metricsUrl: metrics?.url,
    async close() {
      await server.close();
      await metrics?.close();
    },
  };
}
