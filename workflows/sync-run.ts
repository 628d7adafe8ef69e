import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { BOOKKEEPING_START_TO_CLOSE_MS } from './settings';
import type { RecordedFailure } from './failures';

/** Bookkeeping shared by every sync workflow: each run is recorded whatever its outcome. */
export const { startSyncRun, finishSyncRun } = proxyActivities<Activities>({
  startToCloseTimeout: BOOKKEEPING_START_TO_CLOSE_MS,
});

/** Records the run as FAILED and fails the workflow visibly in the Temporal UI with the technician's message. */
export async function failSyncRun(
  syncRunId: string,
  failure: Pick<RecordedFailure, 'code' | 'message' | 'type'>,
  record: { counts: Record<string, number>; moodleCalls: Record<string, number> },
): Promise<never> {
  await finishSyncRun({
    syncRunId,
    outcome: 'FAILED',
    ...record,
    error: { code: failure.code, message: failure.message },
  });
  throw ApplicationFailure.create({ message: failure.message, type: failure.type, nonRetryable: true });
}

/** Adds counts key by key (run totals, Moodle calls by function). */
export function addCounts<T extends { [K in keyof T]: number }>(total: T, more: { [K in keyof T]?: number }): T {
  const sum: Record<string, number> = { ...total };
  for (const [key, value] of Object.entries(more) as [string, number | undefined][])
    sum[key] = (sum[key] ?? 0) + (value ?? 0);
  return sum as T;
}
