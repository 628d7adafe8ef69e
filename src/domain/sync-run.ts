import type { SyncKind } from './sync-scopes';

/**
 * The vocabulary of a sync run, shared by the workflows that run it, the store
 * that records it and the API that shows it.
 */
export type { SyncKind };
/**
 * What started a sync: its schedule, a person (API or CLI), a replay of failures, or an event Moodle
 * sent about a course (a hint to read it again). Stored on sync runs and courses, and a metrics label.
 */
export const SYNC_TRIGGERS = ['SCHEDULE', 'MANUAL', 'REPLAY', 'MOODLE_EVENT'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];
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
