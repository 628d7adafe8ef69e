import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { Stores } from '../store';
import { syncRunId, type SyncRunDocument } from '../store/sync-runs';
import type { StartedWorkflow } from '../temporal/client';

/** How often a long wait reports that it is still waiting. */
export const PROGRESS_INTERVAL_MS = 5_000;

export interface FinishedSync {
  workflowId: string;
  /** The run's own record (outcome, counts, error); null when the run ended without one (e.g. terminated in the UI). */
  run: SyncRunDocument | null;
  /** Why the workflow failed, as Temporal reports it (the technician's message for sync failures). */
  failure: string | null;
}

/**
 * Waits for a started sync to close and reads what it recorded. A failed sync
 * is an outcome to report, not an error: its record says why.
 */
export async function waitForSync(
  client: Client,
  stores: Stores,
  started: StartedWorkflow,
  onProgress: (elapsedMs: number) => void = () => {},
): Promise<FinishedSync> {
  const startedAt = Date.now();
  const timer = setInterval(() => onProgress(Date.now() - startedAt), PROGRESS_INTERVAL_MS);
  let failure: string | null = null;
  try {
    await client.workflow.getHandle(started.workflowId, started.runId).result();
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    failure = error.cause?.message ?? error.message;
  } finally {
    clearInterval(timer);
  }
  return {
    workflowId: started.workflowId,
    run: await stores.syncRuns.get(syncRunId(started.workflowId, started.runId)),
    failure,
  };
}

/** One line for people: what the run did, or why it failed. */
export function describeFinishedSync(finished: FinishedSync): string {
  const { run } = finished;
  if (run === null)
    return `${finished.workflowId}: ended without a run record (${finished.failure ?? 'see the Temporal UI'})`;
  const counts = Object.entries(run.counts)
    .filter(([, value]) => value > 0)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  const error = run.error === null ? '' : ` — ${run.error.code}: ${run.error.message}`;
  return `${finished.workflowId}: ${run.outcome}${counts === '' ? '' : ` (${counts})`}${error}`;
}
