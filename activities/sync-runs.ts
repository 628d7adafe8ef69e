import { SYNC_SCOPES } from '../src/domain/sync-scopes';
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
}

/** Every run is recorded, whatever its outcome, so sync health is computed from MongoDB alone. */
export function createSyncRunActivities({ stores, now }: SyncRunDeps) {
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
    },
  };
}
