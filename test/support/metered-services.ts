import type { Logger } from 'pino';
import { loadConfig } from '../../src/config';
import { startLocalServices } from '../../src/local/services';
import { startMoodleSimulator, type MoodleSimulator, type SiteModel } from '../../src/moodle-sim';
import { startApiService, type ApiService } from '../../src/services/api';
import { openConnections, type Connections, type ServiceConfig } from '../../src/services/connections';
import { startWorkerService, type RunningWorker } from '../../src/services/worker';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import { uniqueName, workflowBundlePath } from './environment';

export interface MeteredServicesOptions {
  /** Names the database and the task queue. */
  name: string;
  site: SiteModel;
  token: string;
  /** `API_KEYS`. */
  apiKeys: string;
  log: Logger;
}

/**
 * The worker and the API as `sms-sync worker` and `sms-sync api` start them, each with connections of its
 * own (as in two processes) and its /metrics on a free loopback port (WORKER_METRICS_PORT and
 * API_METRICS_PORT 0), with the Temporal SDK's metrics forwarded by the worker; on a Temporal dev server
 * of their own (the worker ensures the schedules, whose ids other files own on the shared one), the
 * shared FerretDB, and a Moodle simulator serving `site`. Installs the Temporal runtime: call it before
 * any other native connection of the test file.
 */
export interface MeteredServices {
  readonly sim: MoodleSimulator;
  readonly config: ServiceConfig;
  /** The worker's connections: its stores are what the syncs write. */
  readonly workerConnections: Connections;
  readonly worker: RunningWorker;
  readonly api: ApiService;
  close(): Promise<void>;
}

export async function startMeteredServices(options: MeteredServicesOptions): Promise<MeteredServices> {
  const { log } = options;
  const temporalRuntime = await installTemporalRuntime(log, { metrics: true });
  const sim = await startMoodleSimulator({ site: options.site, token: options.token });
  const { TEMPORAL_ADDRESS: _shared, ...inherited } = process.env;
  const env = {
    ...inherited,
    MONGODB_DB: uniqueName(`sms_${options.name}`).replace('-', '_'),
    TEMPORAL_TASK_QUEUE: uniqueName(options.name),
    MOODLE_URL: sim.url,
    MOODLE_TOKEN: options.token,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    API_KEYS: options.apiKeys,
    METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: '0',
    API_METRICS_PORT: '0',
  };
  const services = await startLocalServices(loadConfig(env));
  const config = loadConfig(
    { ...env, TEMPORAL_ADDRESS: services.temporalAddress },
    { require: ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN'] },
  );
  const workerConnections = await openConnections(config);
  const apiConnections = await openConnections(config);
  const worker = await startWorkerService(config, workerConnections, {
    log,
    workflowBundlePath: workflowBundlePath(),
    temporalMetricsUrl: temporalRuntime.metricsUrl,
  });
  const api = await startApiService(config, apiConnections, { log });
  return {
    sim,
    config,
    workerConnections,
    worker,
    api,
    async close() {
      await api.close();
      await worker.stop();
      await workerConnections.database.db.dropDatabase();
      await apiConnections.close();
      await workerConnections.close();
      await services.stop();
      await sim.close();
    },
  };
}
