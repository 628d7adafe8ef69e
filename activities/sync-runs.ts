import { Context } from '@temporalio/activity';
import { SYNC_SCOPES } from '../src/domain/sync-scopes';
import { NO_SYNC_METRICS, type SyncMetrics } from '../src/metrics/sync-metrics';
import type { Stores } from '../src/store';
import type { SyncOutcome, SyncRunError, SyncRunStart } from '../src/domain/sync-run';

export interface FinishSyncRunInput {
  syncRunId: string;
  outcome: Exclude<SyncOutcome, 'RUNNING'>;
  counts: Record<string, number>;
  moodleCalls: Record<string, number>;
  error: SyncRunError | null;
}

export interface SyncRunDeps {
  stores: Stores;
  now: () => Date;
  /** The worker's metrics; none by default (tests). */
  metrics?: SyncMetrics;
}

/** Every run is recorded, whatever its outcome, so sync health is computed from MongoDB alone. */
export function createSyncRunActivities({ stores, now, metrics = NO_SYNC_METRICS }: SyncRunDeps) {
  return {
    async startSyncRun(run: SyncRunStart): Promise<string> {
      return stores.syncRuns.start(run, now());
    },

    async finishSyncRun(input: FinishSyncRunInput): Promise<void> {
      const run = await stores.syncRuns.get(input.syncRunId);
      if (run === null) throw new Error(`sync run ${input.syncRunId} was never started`);
      const at = now();
      await stores.syncRuns.finish(input.syncRunId, input, at);
      const scope = SYNC_SCOPES.run[run.kind];
      if (input.error === null) await stores.syncErrors.resolve([scope], at);
      else await stores.syncErrors.record({ scope, code: input.error.code, message: input.error.message }, at);
      // Counted once everything is recorded: an attempt that fails before is retried, and counts then.
      const { kind, trigger, startedAt } = run;
      metrics.runFinished({ kind, trigger, startedAt, outcome: input.outcome, counts: input.counts, finishedAt: at });
      Context.current().log.info('sync run finished', {
        syncRunId: input.syncRunId,
        kind,
        trigger,
        outcome: input.outcome,
        durationMs: at.getTime() - startedAt.getTime(),
        counts: input.counts,
        moodleCalls: input.moodleCalls,
        ...(input.error && { code: input.error.code }),
      });
    },
  };
}
