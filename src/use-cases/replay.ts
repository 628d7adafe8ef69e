import { isEmptyPlan, planReplay, type ReplayPlan, type ReplayRequest } from '../domain/replay';
import type { Stores } from '../store';
import type { StartedWorkflow } from '../temporal/client';
import type { SyncLauncher } from '../temporal/launcher';

/** Without a `since`, a replay looks back this far. */
/** How far back a replay looks for failures when not told. */
export const DEFAULT_REPLAY_WINDOW = { text: '24h', ms: 24 * 3_600_000 } as const;

export interface ReplayOutcome {
  plan: ReplayPlan;
  /** Empty for a dry run or when nothing failed. */
  started: StartedWorkflow[];
}

/**
 * Finds what failed since `since` and re-runs exactly that scope (the API's
 * `replayFailedSyncs` and `sms-sync replay --failed`). With `dryRun` it only
 * says what it would re-run.
 */
export async function replayFailedSyncs(
  stores: Stores,
  syncs: SyncLauncher,
  request: ReplayRequest & { dryRun?: boolean },
): Promise<ReplayOutcome> {
  const plan = planReplay(await stores.syncErrors.open(), request);
  if (request.dryRun || isEmptyPlan(plan)) return { plan, started: [] };
  const started: StartedWorkflow[] = [];
  if (plan.fullCourseSync) started.push(await syncs.startCourseSync('REPLAY'));
  if (plan.fullEnrollmentSync) started.push(await syncs.startEnrollmentSync('REPLAY'));
  if (plan.courseIds.length > 0) started.push(await syncs.startEnrollmentSync('REPLAY', plan.courseIds));
  return { plan, started };
}
