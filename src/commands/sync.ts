import { describeFinishedSync, waitForSync, type FinishedSync } from '../use-cases/sync-outcome';
import type { StartedWorkflow } from '../temporal/client';
import { temporalSyncLauncher, type SyncLauncher } from '../temporal/launcher';
import { EXIT } from './exit-codes';
import { printJson, progressLine, withOps, type Ops } from './ops';

export interface SyncCommandOptions {
  course?: number[];
  wait?: boolean;
  json?: boolean;
}

export async function launcherFor(ops: Ops<'TEMPORAL_ADDRESS'>): Promise<SyncLauncher> {
  return temporalSyncLauncher(await ops.temporal(), ops.config);
}

/** The worst outcome decides the exit code: a failed sync over a partial one over success. */
export function exitCodeOf(finished: readonly FinishedSync[]): number {
  const outcomes = finished.map((sync) => sync.run?.outcome ?? 'FAILED');
  if (outcomes.includes('FAILED')) return EXIT.syncFailed;
  return outcomes.every((outcome) => outcome === 'SUCCEEDED') ? EXIT.ok : EXIT.partial;
}

/** Waits for each started sync in turn, saying every few seconds that it still waits. */
export async function waitForAll(ops: Ops<'TEMPORAL_ADDRESS' | 'MONGODB_URI'>, started: readonly StartedWorkflow[], quiet: boolean): Promise<FinishedSync[]> {
  const [client, stores] = await Promise.all([ops.temporal(), ops.stores()]);
  const finished: FinishedSync[] = [];
  for (const workflow of started) {
    if (!quiet) progressLine(`Waiting for ${workflow.workflowId}…`);
    const outcome = await waitForSync(client, stores, workflow, (elapsedMs) =>
      progressLine(`  …${workflow.workflowId} still running (${Math.round(elapsedMs / 1000)} s)`),
    );
    finished.push(outcome);
    if (!quiet) console.log(describeFinishedSync(outcome));
  }
  return finished;
}

/** `sync courses` / `sync enrollments`: start a sync now, the way an admin's "sync now" does. */
export async function runSyncCommand(kind: 'courses' | 'enrollments', options: SyncCommandOptions): Promise<void> {
  const start = async (ops: Ops<'TEMPORAL_ADDRESS'>) => {
    const syncs = await launcherFor(ops);
    const started = kind === 'courses' ? await syncs.startCourseSync('MANUAL') : await syncs.startEnrollmentSync('MANUAL', options.course);
    if (!options.json) console.log(`Started ${started.workflowId} (find it in the Temporal UI under that workflow id)`);
    return started;
  };
  const report = (started: StartedWorkflow, finished: FinishedSync[]) => {
    if (options.json) printJson({ workflowIds: [started.workflowId], results: finished.map(resultJson) });
    process.exitCode = exitCodeOf(finished);
  };
  if (options.wait) {
    // Waiting reads the run's record, hence the database too.
    await withOps(['TEMPORAL_ADDRESS', 'MONGODB_URI'], async (ops) => {
      const started = await start(ops);
      report(started, await waitForAll(ops, [started], options.json === true));
    });
  } else {
    await withOps(['TEMPORAL_ADDRESS'], async (ops) => report(await start(ops), []));
  }
}

export function resultJson(finished: FinishedSync) {
  const { run } = finished;
  return {
    workflowId: finished.workflowId,
    outcome: run?.outcome ?? 'FAILED',
    counts: run?.counts ?? {},
    error: run?.error ?? (finished.failure === null ? null : { code: 'WORKFLOW_FAILED', message: finished.failure }),
  };
}
