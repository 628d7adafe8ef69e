import { connectionState, type ConnectionState, type FinishedRun } from '../domain/connection-state';
import type { Stores } from './index';
import type { SyncKind, SyncRunDocument } from './sync-runs';

const KINDS: readonly SyncKind[] = ['COURSE', 'ENROLLMENT'];

function finishedRun(run: SyncRunDocument | null): FinishedRun[] {
  if (run === null || run.finishedAt === null || run.outcome === 'RUNNING') return [];
  return [{ kind: run.kind, outcome: run.outcome, finishedAt: run.finishedAt, error: run.error }];
}

/** Reads what the connection state is computed from: the latest runs of each kind and the open errors. */
export async function readConnectionState(stores: Stores, now: Date): Promise<ConnectionState> {
  const [latest, successes, openErrors] = await Promise.all([
    Promise.all(KINDS.map((kind) => stores.syncRuns.latestFinished(kind))),
    Promise.all(KINDS.map((kind) => stores.syncRuns.latestFinished(kind, ['SUCCEEDED', 'PARTIAL']))),
    stores.syncErrors.openByCode(),
  ]);
  const successTimes = successes.flatMap(finishedRun).map((run) => run.finishedAt.getTime());
  return connectionState({
    now,
    latestRuns: latest.flatMap(finishedRun),
    lastSuccessAt: successTimes.length === 0 ? null : new Date(Math.max(...successTimes)),
    openErrors,
  });
}
