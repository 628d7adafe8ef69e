import type { Config } from '../config';
import type { Logger } from '../logger';
import { scrapeEndpoint } from '../metrics/forward';
import { healthCollectors } from '../metrics/health';
import { moodleCallRecorder } from '../metrics/moodle-calls';
import { createServiceMetrics, type MetricsRole, type ServiceMetrics } from '../metrics/registry';
import { startMetricsServer } from '../metrics/server';
import { readSyncHealth } from '../use-cases/sync-health';
import type { Connections } from './connections';

export interface RunningMetrics {
  readonly metrics: ServiceMetrics;
  /** `http://<host>:<port>/metrics`, the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

export interface ServiceMetricsOptions {
  log: Logger;
  /** Another endpoint of this process whose text each scrape appends (the Temporal SDK's). */
  forwardUrl?: string;
}

/**
 * The process's /metrics listener for `role`, on WORKER_METRICS_PORT or API_METRICS_PORT: the
 * catalog's metrics for the role, the sync health read from the database at each scrape, every
 * Moodle call of `connections`, and `forwardUrl`'s text. Undefined, with no listener and nothing
 * recorded, when that port is not set.
 */
export async function startServiceMetrics(
  role: MetricsRole,
  config: Pick<Config, 'metrics' | 'sync'>,
  connections: Pick<Connections, 'stores' | 'observeMoodleCalls'>,
  options: ServiceMetricsOptions,
): Promise<RunningMetrics | undefined> {
  const port = role === 'worker' ? config.metrics.workerPort : config.metrics.apiPort;
  if (port === undefined) return undefined;
  const { log, forwardUrl } = options;
  const metrics = createServiceMetrics(
    role,
    healthCollectors(() => readSyncHealth(connections.stores, new Date(), config.sync), { log }),
  );
  const stopObserving = connections.observeMoodleCalls(moodleCallRecorder(metrics));
  try {
    const server = await startMetricsServer({
      host: config.metrics.host,
      port,
      contentType: metrics.registry.contentType,
      log,
      scrape: async () => {
        const [own, forwarded] = await Promise.all([
          metrics.registry.metrics(),
          forwardUrl === undefined ? '' : scrapeEndpoint(forwardUrl, { log }),
        ]);
        return own + forwarded;
      },
    });
    log.info({ url: server.url }, `${role} metrics listening`);
    return {
      metrics,
      url: server.url,
      async close() {
        stopObserving();
        await server.close();
      },
    };
  } catch (error) {
    stopObserving();
    throw error;
  }
}
