import { ApplicationFailure, patched, proxyActivities, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FinishSyncRunInput } from '../activities/sync-runs';
import { BOOKKEEPING_START_TO_CLOSE_MS } from './settings';
import type { RecordedFailure } from './failures';
import { SYNC_OUTCOME } from './search-attributes';

/** Bookkeeping shared by every sync workflow: each run is recorded whatever its outcome. */
const bookkeeping = proxyActivities<Activities>({ startToCloseTimeout: BOOKKEEPING_START_TO_CLOSE_MS });

export const { startSyncRun } = bookkeeping;

/**
 * Records how the run ended, and shows it in the Temporal UI too, where a PARTIAL run would otherwise look
 * as "Completed" as a clean one: `SyncOutcome` to filter by, and the counts in the memo.
 */
export async function finishSyncRun(finish: FinishSyncRunInput): Promise<void> {
  // Runs started before this change must replay without the upserts (docs/temporal.md §3.4).
  if (patched('sync-outcome-in-ui')) {
    upsertSearchAttributes([{ key: SYNC_OUTCOME, value: finish.outcome }]);
    upsertMemo({ counts: finish.counts });
  }
  await bookkeeping.finishSyncRun(finish);
}

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
