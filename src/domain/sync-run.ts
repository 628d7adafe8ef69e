import type { SyncKind } from './sync-scopes';

/**
 * The vocabulary of a sync run, shared by the workflows that run it, the store
 * that records it and the API that shows it.
 */
export type { SyncKind };
export type SyncTrigger = 'SCHEDULE' | 'MANUAL' | 'REPLAY';
export type SyncOutcome = 'RUNNING' | 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

/** Default of SYNC_COURSE_CONCURRENCY: courses one enrollment sync reads at once. */
export const DEFAULT_COURSE_CONCURRENCY = 4;

export interface SyncRunError {
  code: string;
  message: string;
}

export interface SyncRunStart {
  kind: SyncKind;
  workflowId: string;
  runId: string;
  trigger: SyncTrigger;
}

export interface SyncRunFinish {
  outcome: Exclude<SyncOutcome, 'RUNNING'>;
  counts: Record<string, number>;
  moodleCalls: Record<string, number>;
  error: SyncRunError | null;
}
