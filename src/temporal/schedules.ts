import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Config } from '../config';
import { courseSyncWorkflow, enrollmentSyncWorkflow } from '../../workflows';
import { syncMemo } from './client';
import {
  COURSE_SYNC_WORKFLOW_ID,
  ENROLLMENT_SYNC_WORKFLOW_ID,
  SCHEDULE_CATCHUP_WINDOW_MS,
  SCHEDULE_IDS,
} from './workflow-ids';

export interface ScheduleSettings {
  taskQueue: string;
  courseSyncIntervalMs: number;
  enrollmentSyncIntervalMs: number;
  /** Courses an enrollment sync syncs at once; the schedule passes it to every run. */
  courseConcurrency: number;
}

export function scheduleSettings(config: Config): ScheduleSettings {
  return {
    taskQueue: config.temporal.taskQueue,
    courseSyncIntervalMs: config.sync.courseIntervalMs,
    enrollmentSyncIntervalMs: config.sync.enrollmentIntervalMs,
    courseConcurrency: config.sync.courseConcurrency,
  };
}

/** docs/product.md "Temporal": a sync still running when the next one is due makes that one skip. */
const SCHEDULE_POLICIES = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: SCHEDULE_CATCHUP_WINDOW_MS };
const SCHEDULE_STATE = { note: 'Created by sms-sync at worker start-up.' };

/** The schedules this service owns, as they should be. */
export function desiredSchedules(settings: ScheduleSettings): ScheduleOptions[] {
  const courseSync: ScheduleOptionsStartWorkflowAction<typeof courseSyncWorkflow> = {
    type: 'startWorkflow',
    workflowType: courseSyncWorkflow,
    workflowId: COURSE_SYNC_WORKFLOW_ID,
    taskQueue: settings.taskQueue,
    args: [{ trigger: 'SCHEDULE' }],
    memo: syncMemo('COURSE', 'SCHEDULE'),
  };
  const enrollmentSync: ScheduleOptionsStartWorkflowAction<typeof enrollmentSyncWorkflow> = {
    type: 'startWorkflow',
    workflowType: enrollmentSyncWorkflow,
    workflowId: ENROLLMENT_SYNC_WORKFLOW_ID,
    taskQueue: settings.taskQueue,
    args: [{ trigger: 'SCHEDULE', concurrency: settings.courseConcurrency }],
    memo: syncMemo('ENROLLMENT', 'SCHEDULE'),
  };
  return [
    {
      scheduleId: SCHEDULE_IDS.courseSync,
      spec: { intervals: [{ every: settings.courseSyncIntervalMs }] },
      action: courseSync,
      policies: SCHEDULE_POLICIES,
      memo: { description: "Mirrors Moodle's course list into the SMS (sms-sync)." },
      state: SCHEDULE_STATE,
    },
    {
      scheduleId: SCHEDULE_IDS.enrollmentSync,
      // Half an interval after the course sync (both default to 30 min): the two never hit Moodle
      // at the same moment, and enrollments are read against a fresh course list.
      spec: {
        intervals: [
          { every: settings.enrollmentSyncIntervalMs, offset: Math.floor(settings.enrollmentSyncIntervalMs / 2) },
        ],
      },
      action: enrollmentSync,
      policies: SCHEDULE_POLICIES,
      memo: { description: 'Reads every followed course’s gradebook into its SMS enrollments (sms-sync).' },
      state: SCHEDULE_STATE,
    },
  ];
}

export interface EnsureSchedulesResult {
  created: string[];
  updated: string[];
}

/**
 * Creates the schedules, or brings existing ones to the desired spec, action
 * and policies while keeping their state: an operator's pause survives every
 * deploy (docs/temporal.md §1.4).
 */
export async function ensureSchedules(client: Client, settings: ScheduleSettings): Promise<EnsureSchedulesResult> {
  const result: EnsureSchedulesResult = { created: [], updated: [] };
  for (const desired of desiredSchedules(settings)) {
    try {
      await client.schedule.create(desired);
      result.created.push(desired.scheduleId);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(desired.scheduleId).update((previous) => ({
        ...previous,
        spec: desired.spec,
        action: desired.action,
        policies: { ...previous.policies, ...desired.policies },
        state: previous.state,
      }));
      result.updated.push(desired.scheduleId);
    }
  }
  return result;
}
