import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { Logger } from '../logger';
import { createSyncMetrics } from '../metrics/sync-metrics';
import { ensureSchedules, scheduleSettings } from '../temporal/schedules';
import { createWorker } from '../temporal/worker';
import type { Connections, ServiceConfig } from './connections';
import { startServiceMetrics } from './metrics';

export interface RunningWorker {
  readonly worker: Worker;
  /** Its /metrics (`http://host:port/metrics`); absent when WORKER_METRICS_PORT is not set. */
  readonly metricsUrl?: string;
  /** Resolves when the worker has stopped, and its connection and metrics listener are closed. */
  readonly done: Promise<void>;
  /** Drains the worker, then closes its connection and metrics listener. */
  stop(): Promise<void>;
}

/** Creates a worker for every workflow and activity of the service, ensures the schedules, then runs it. */
export async function startWorkerService(
  config: ServiceConfig,
  connections: Connections,
  options: {
    log: Logger;
    /** A prebuilt workflow bundle (tests); the workflows are bundled at start otherwise. */
    workflowBundlePath?: string;
    /** The Temporal SDK's own metrics endpoint (`installTemporalRuntime`), which /metrics includes. */
    temporalMetricsUrl?: string;
  },
): Promise<RunningWorker> {
  const metrics = await startServiceMetrics('worker', config, connections, {
    log: options.log,
    forwardUrl: options.temporalMetricsUrl,
  });
  const closeMetrics = async () => metrics?.close();
  const connection = await NativeConnection.connect({ address: config.temporal.address }).catch(
    async (error: unknown) => {
      await closeMetrics();
      throw error;
    },
  );
  let worker: Worker;
  try {
    // Before the schedules: a namespace the workflows cannot report to must not get runs that would hang.
    worker = await createWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivities({
        stores: connections.stores,
        moodle: connections.moodle,
        now: () => new Date(),
        deletionGuardRatio: config.sync.deletionGuardRatio,
        perStudent: config.sync.perStudent,
        ...(metrics && { metrics: createSyncMetrics(metrics.metrics) }),
      }),
      workflowBundlePath: options.workflowBundlePath,
    });
    const schedules = await ensureSchedules(connections.temporal, scheduleSettings(config));
    options.log.info(schedules, 'schedules ensured');
  } catch (error) {
    await connection.close();
    await closeMetrics();
    throw error;
  }
  options.log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  // The listener goes with the worker, however it stops (the SDK drains it on SIGTERM), or the process would not exit.
  const done = worker.run().finally(async () => {
    await connection.close();
    await closeMetrics();
  });
  return {
    worker,
    metricsUrl: metrics?.url,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
