import { describeFinishedSync, waitForSync, type FinishedSync } from '../use-cases/sync-outcome';
import type { StartedWorkflow } from '../temporal/client';
import { temporalSyncLauncher, type SyncLauncher } from '../temporal/launcher';
import { startEnrollmentSyncOf, UnknownCoursesError } from '../use-cases/start-sync';
import { CommandError, EXIT } from './exit-codes';
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
export async function waitForAll(
  ops: Ops<'TEMPORAL_ADDRESS' | 'MONGODB_URI'>,
  started: readonly StartedWorkflow[],
  quiet: boolean,
): Promise<FinishedSync[]> {
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
  // The database tells known courses from typos, and holds the run's record to wait for.
  await withOps(['TEMPORAL_ADDRESS', 'MONGODB_URI'], async (ops) => {
    const syncs = await launcherFor(ops);
    const started =
      kind === 'courses' ? await syncs.startCourseSync('MANUAL') : await startEnrollments(ops, syncs, options.course);
    if (!options.json) console.log(`Started ${started.workflowId} (find it in the Temporal UI under that workflow id)`);
    const finished = options.wait ? await waitForAll(ops, [started], options.json === true) : [];
    if (options.json) printJson({ workflowIds: [started.workflowId], results: finished.map(resultJson) });
    process.exitCode = exitCodeOf(finished);
  });
}

async function startEnrollments(
  ops: Ops<'MONGODB_URI'>,
  syncs: SyncLauncher,
  courseIds?: number[],
): Promise<StartedWorkflow> {
  try {
    return await startEnrollmentSyncOf(await ops.stores(), syncs, courseIds);
  } catch (error) {
    if (error instanceof UnknownCoursesError)
      throw new CommandError(`${error.message} Nothing was started.`, EXIT.usage);
    throw error;
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
