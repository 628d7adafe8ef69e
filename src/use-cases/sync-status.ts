import {
  connectionState,
  type ConnectionState,
  type FinishedRun,
  type OpenErrorGroup,
} from '../domain/connection-state';
import type { SyncKind } from '../domain/sync-run';
import type { Stores, SyncRunDocument } from '../store';

const KINDS: readonly SyncKind[] = ['COURSE', 'ENROLLMENT'];

/** What the SMS front end's connection panel and `sms-sync status` show. */
export interface SyncStatus {
  state: ConnectionState;
  lastCourseSync: SyncRunDocument | null;
  lastEnrollmentSync: SyncRunDocument | null;
  /** Open sync errors grouped by code. */
  openErrors: OpenErrorGroup[];
}

function finishedRun(run: SyncRunDocument | null): FinishedRun[] {
  if (run === null || run.finishedAt === null || run.outcome === 'RUNNING') return [];
  return [{ kind: run.kind, outcome: run.outcome, finishedAt: run.finishedAt, error: run.error }];
}

/**
 * Reads the latest runs of each kind and the open errors, and computes the
 * connection state from them (MongoDB only: it works while Temporal or Moodle is down).
 */
export async function readSyncStatus(stores: Stores, now: Date): Promise<SyncStatus> {
  const [latest, latestFinished, successes, openErrors] = await Promise.all([
    Promise.all(KINDS.map((kind) => stores.syncRuns.latest(kind))),
    Promise.all(KINDS.map((kind) => stores.syncRuns.latestFinished(kind))),
    Promise.all(KINDS.map((kind) => stores.syncRuns.latestFinished(kind, ['SUCCEEDED', 'PARTIAL']))),
    stores.syncErrors.openByCode(),
  ]);
  const successTimes = successes.flatMap(finishedRun).map((run) => run.finishedAt.getTime());
  const state = connectionState({
    now,
    latestRuns: latestFinished.flatMap(finishedRun),
    lastSuccessAt: successTimes.length === 0 ? null : new Date(Math.max(...successTimes)),
    openErrors,
  });
  const [lastCourseSync = null, lastEnrollmentSync = null] = latest;
  return { state, lastCourseSync, lastEnrollmentSync, openErrors };
}
