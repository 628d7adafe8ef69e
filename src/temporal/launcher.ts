import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { SyncTrigger } from '../domain/sync-run';
import type { RefreshTarget } from '../domain/moodle-events';
import { signalMoodleEvent, startCourseSync, startEnrollmentSync, type StartedWorkflow } from './client';

/** Starts syncs on demand; the API and the command line share it. */
export interface SyncLauncher {
  startCourseSync(trigger: SyncTrigger): Promise<StartedWorkflow>;
  /** Every course with enrollments, or only `courseIds`. */
  startEnrollmentSync(trigger: SyncTrigger, courseIds?: readonly number[]): Promise<StartedWorkflow>;
  /** Hands a Moodle event to the refresh of `target`, which syncs it soon (debounced); never waits for a sync. */
  refreshOnMoodleEvent(target: RefreshTarget, eventName: string): Promise<StartedWorkflow>;
}

/** What a launcher needs from configuration: where the worker listens, and how hard a sync may push. */
export type LauncherConfig = {
  temporal: Pick<Config['temporal'], 'taskQueue'>;
  sync: Pick<Config['sync'], 'courseConcurrency'>;
};

export function temporalSyncLauncher(
  client: Client,
  config: LauncherConfig,
  now: () => Date = () => new Date(),
): SyncLauncher {
  const { taskQueue } = config.temporal;
  return {
    startCourseSync: (trigger) => startCourseSync(client, taskQueue, { trigger, now: now() }),
    startEnrollmentSync: (trigger, courseIds) =>
      startEnrollmentSync(client, taskQueue, {
        concurrency: config.sync.courseConcurrency,
        trigger,
        courseIds: courseIds === undefined ? undefined : [...courseIds],
      }),
    refreshOnMoodleEvent: (target, eventName) => signalMoodleEvent(client, taskQueue, target, eventName),
  };
}
