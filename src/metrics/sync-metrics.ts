import { SYNC_TRIGGERS, type SyncKind, type SyncOutcome, type SyncTrigger } from '../domain/sync-run';
import type { ServiceMetrics } from './registry';

/** A sync run as `finishSyncRun` records it. */
export interface FinishedSyncRun {
  kind: SyncKind;
  trigger: SyncTrigger;
  outcome: Exclude<SyncOutcome, 'RUNNING'>;
  counts: Readonly<Record<string, number>>;
  startedAt: Date;
  finishedAt: Date;
}

/** What the sync activities tell the metrics. */
export interface SyncMetrics {
  runFinished(run: FinishedSyncRun): void;
  /** A course the enrollment sync gave up on, with its sync error code. */
  courseFailed(code: string): void;
}

/** For a worker that serves no metrics, and for tests. */
export const NO_SYNC_METRICS: SyncMetrics = { runFinished: () => {}, courseFailed: () => {} };

/**
 * Which keys of a run's counts (the enrollment sync's `EnrollmentSyncCounts`, workflows/enrollment-sync.ts)
 * feed which series. A course sync's counts have none of these keys.
 */
export const COUNTED_RESULTS = [
  { count: 'coursesSynced', metric: 'coursesSynced', result: 'synced' },
  { count: 'coursesFailed', metric: 'coursesSynced', result: 'failed' },
  { count: 'enrollmentsChanged', metric: 'enrollments', result: 'changed' },
  { count: 'enrollmentsFailed', metric: 'enrollments', result: 'failed' },
] as const;

const KINDS: readonly SyncKind[] = ['COURSE', 'ENROLLMENT'];
const OUTCOMES: readonly FinishedSyncRun['outcome'][] = ['SUCCEEDED', 'PARTIAL', 'FAILED'];

export function createSyncMetrics(metrics: ServiceMetrics): SyncMetrics {
  const runs = metrics.counter('syncRuns');
  const durations = metrics.histogram('syncRunDuration');
  const courseFailures = metrics.counter('courseFailures');
  // Every known series starts at 0, so that `increase()` sees the first failed run as an increase.
  for (const kind of KINDS) {
    for (const trigger of SYNC_TRIGGERS) {
      for (const outcome of OUTCOMES) runs.inc({ kind, trigger, outcome }, 0);
    }
  }
  for (const { metric, result } of COUNTED_RESULTS) metrics.counter(metric).inc({ result }, 0);

  return {
    runFinished(run) {
      // Label values are the ones sync_runs stores, `sms-sync status` prints and the API returns.
      const { kind, trigger, outcome } = run;
      runs.inc({ kind, trigger, outcome });
      durations.observe({ kind, outcome }, (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000);
      for (const { count, metric, result } of COUNTED_RESULTS) {
        const value = run.counts[count];
        if (value !== undefined && value > 0) metrics.counter(metric).inc({ result }, value);
      }
    },
    courseFailed(code) {
      courseFailures.inc({ code });
    },
  };
}
