import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { Logger } from '../logger';
import { ensureSchedules, scheduleSettings } from '../temporal/schedules';
import { createWorker } from '../temporal/worker';
import type { Connections, ServiceConfig } from './connections';

export interface RunningWorker {
  readonly worker: Worker;
  /** Resolves when the worker has stopped. */
  readonly done: Promise<void>;
  /** Drains the worker, then closes its connection. */
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
  },
): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
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
      }),
      workflowBundlePath: options.workflowBundlePath,
    });
    const schedules = await ensureSchedules(connections.temporal, scheduleSettings(config));
    options.log.info(schedules, 'schedules ensured');
  } catch (error) {
    await connection.close();
    throw error;
  }
  options.log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  const done = worker.run().finally(() => connection.close());
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
