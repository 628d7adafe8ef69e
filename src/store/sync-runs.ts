import type { Collection, Db } from 'mongodb';
import type { SyncKind, SyncOutcome, SyncRunError, SyncRunFinish, SyncRunStart, SyncTrigger } from '../domain/sync-run';
import { createIndexes, insertMissing } from './mongo';
import { pageNewestFirst, type Page, type PageRequest } from './pagination';

export interface SyncRunDocument {
  /** `<workflowId>/<runId>`: one record per workflow run, whatever retries happen. */
  _id: string;
  kind: SyncKind;
  workflowId: string;
  runId: string;
  trigger: SyncTrigger;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: SyncOutcome;
  counts: Record<string, number>;
  /** Moodle web-service calls by function name. */
  moodleCalls: Record<string, number>;
  error: SyncRunError | null;
}

export const SYNC_RUNS = 'sync_runs';

export function syncRunId(workflowId: string, runId: string): string {
  return `${workflowId}/${runId}`;
}

export class SyncRunStore {
  readonly collection: Collection<SyncRunDocument>;

  constructor(db: Db) {
    this.collection = db.collection<SyncRunDocument>(SYNC_RUNS);
  }

  async ensureIndexes(): Promise<void> {
    await createIndexes(this.collection, [
      { key: { kind: 1, startedAt: -1 }, name: 'sync_runs_by_kind' },
      { key: { startedAt: -1 }, name: 'sync_runs_recent' },
    ]);
  }

  /** Idempotent: a retried activity finds the record its first attempt wrote. */
  async start(run: SyncRunStart, now: Date): Promise<string> {
    const id = syncRunId(run.workflowId, run.runId);
    await insertMissing(this.collection, [
      {
        _id: id,
        ...run,
        startedAt: now,
        finishedAt: null,
        outcome: 'RUNNING',
        counts: {},
        moodleCalls: {},
        error: null,
      },
    ]);
    return id;
  }

  async finish(id: string, result: SyncRunFinish, now: Date): Promise<void> {
    // Named one by one: callers pass richer objects (the activity's input carries the run id), and a spread
    // would write whatever else they hold into the run's document.
    const { outcome, counts, moodleCalls, error } = result;
    await this.collection.updateOne({ _id: id }, { $set: { outcome, counts, moodleCalls, error, finishedAt: now } });
  }

  async get(id: string): Promise<SyncRunDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Newest first, of one kind or all. */
  async list(kind: SyncKind | undefined, page: PageRequest): Promise<Page<SyncRunDocument>> {
    return pageNewestFirst(this.collection, kind === undefined ? {} : { kind }, 'startedAt', page);
  }

  async count(kind?: SyncKind): Promise<number> {
    return this.collection.countDocuments(kind === undefined ? {} : { kind });
  }

  async latest(kind: SyncKind): Promise<SyncRunDocument | null> {
    return this.collection.find({ kind }).sort({ startedAt: -1 }).limit(1).next();
  }

  /** The latest run of the kind that has finished, with one of `outcomes` when given. */
  async latestFinished(kind: SyncKind, outcomes?: readonly SyncOutcome[]): Promise<SyncRunDocument | null> {
    return this.collection
      .find({ kind, finishedAt: { $ne: null }, ...(outcomes !== undefined && { outcome: { $in: [...outcomes] } }) })
      .sort({ startedAt: -1 })
      .limit(1)
      .next();
  }
}
