import type { Client } from '@temporalio/client';
import type { EnrollmentSyncInput } from '../../workflows/enrollment-sync';
import type { SyncTrigger } from '../store/sync-runs';
import { startCourseSync, startEnrollmentSync, type StartedWorkflow } from './client';

/** Starts syncs on demand; the API and the command line share it. */
export interface SyncLauncher {
  startCourseSync(trigger: SyncTrigger): Promise<StartedWorkflow>;
  /** Every course with enrollments, or only `courseIds`. */
  startEnrollmentSync(trigger: SyncTrigger, courseIds?: readonly number[]): Promise<StartedWorkflow>;
}

export function temporalSyncLauncher(
  client: Client,
  taskQueue: string,
  now: () => Date,
  tuning: Pick<EnrollmentSyncInput, 'concurrency'> = {},
): SyncLauncher {
  return {
    startCourseSync: (trigger) => startCourseSync(client, taskQueue, { trigger, now: now() }),
    startEnrollmentSync: (trigger, courseIds) =>
      startEnrollmentSync(client, taskQueue, {
        ...tuning,
        trigger,
        courseIds: courseIds === undefined ? undefined : [...courseIds],
        now: now(),
      }),
  };
}
