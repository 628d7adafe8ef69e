import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CourseSyncCounts } from '../activities/course-sync';
import type { SyncTrigger } from '../src/domain/sync-run';
import { COURSE_SYNC_START_TO_CLOSE_MS, MOODLE_ACTIVITY_RETRY } from './settings';
import { describeFailure, moodleCallsOf } from './failures';
import { failSyncRun, finishSyncRun, startSyncRun } from './sync-run';

const { syncCourses } = proxyActivities<Activities>({
  startToCloseTimeout: COURSE_SYNC_START_TO_CLOSE_MS,
  retry: MOODLE_ACTIVITY_RETRY,
});

export interface CourseSyncInput {
  trigger?: SyncTrigger;
}

export interface CourseSyncResult {
  syncRunId: string;
  counts: CourseSyncCounts;
}

/** Mirrors Moodle's course list into the `courses` collection and records the run. */
export async function courseSyncWorkflow(input: CourseSyncInput = {}): Promise<CourseSyncResult> {
  const { workflowId, runId } = workflowInfo();
  const syncRunId = await startSyncRun({ kind: 'COURSE', workflowId, runId, trigger: input.trigger ?? 'SCHEDULE' });
  try {
    const { counts, moodleCalls } = await syncCourses();
    await finishSyncRun({
      syncRunId,
      outcome: counts.heldDeletions > 0 ? 'PARTIAL' : 'SUCCEEDED',
      counts: { ...counts },
      moodleCalls,
      error: null,
    });
    return { syncRunId, counts };
  } catch (error) {
    const failure = describeFailure(error);
    return failSyncRun(syncRunId, failure, { counts: {}, moodleCalls: moodleCallsOf(failure) });
  }
}
