import type { Config } from '../config';
import {
  connectionState,
  staleAfterForIntervals,
  type ConnectionState,
  type FinishedRun,
  type OpenErrorGroup,
} from '../domain/connection-state';
import type { SyncKind } from '../domain/sync-run';
import type { Stores, SyncRunDocument } from '../store';

const KINDS: readonly SyncKind[] = ['COURSE', 'ENROLLMENT'];

/** The schedules' intervals, which decide how long without a success reads as FAILING. */
export type SyncIntervals = Pick<Config['sync'], 'courseIntervalMs' | 'enrollmentIntervalMs'>;

/** What the SMS front end's connection panel and `sms-sync status` show. */
export interface SyncStatus {
  state: ConnectionState;
  lastCourseSync: SyncRunDocument | null;
  lastEnrollmentSync: SyncRunDocument | null;
  /** When the latest SUCCEEDED or PARTIAL run of each kind finished; null before the first. */
  lastSuccessAt: Record<SyncKind, Date | null>;
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
 * FAILING comes after the longer of 30 minutes and the shortest sync interval without a success.
 */
export async function readSyncStatus(stores: Stores, now: Date, intervals: SyncIntervals): Promise<SyncStatus> {
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
    staleAfterMs: staleAfterForIntervals([intervals.courseIntervalMs, intervals.enrollmentIntervalMs]),
  });
  const [lastCourseSync = null, lastEnrollmentSync = null] = latest;
  const [lastCourseSuccess = null, lastEnrollmentSuccess = null] = successes;
  return {
    state,
    lastCourseSync,
    lastEnrollmentSync,
    lastSuccessAt: {
      COURSE: lastCourseSuccess?.finishedAt ?? null,
      ENROLLMENT: lastEnrollmentSuccess?.finishedAt ?? null,
    },
    openErrors,
  };
}
