import { replayFailedSyncs } from '../use-cases/replay';
import { isEmptyPlan, type ReplayPlan } from '../domain/replay';
import { printJson, withOps } from './ops';
import { exitCodeOf, launcherFor, resultJson, waitForAll } from './sync';

export interface ReplayCommandOptions {
  /** The only kind of replay so far, and the default; accepted so that scripts can say what they mean. */
  failed?: true;
  /** Look-back in milliseconds. */
  since: number;
  course?: number[];
  dryRun?: boolean;
  wait: boolean;
  json?: boolean;
}

function planLines(plan: ReplayPlan, since: Date): string[] {
  if (isEmptyPlan(plan)) return [`Nothing failed since ${since.toISOString()}: nothing to replay.`];
  const enrollmentSync = plan.fullEnrollmentSync
    ? 'yes, every course'
    : plan.courseIds.length > 0
      ? `courses ${plan.courseIds.join(', ')}`
      : 'no';
  return [
    `Failures since ${since.toISOString()} re-run:`,
    `  course sync: ${plan.fullCourseSync ? 'yes, in full' : 'no'}`,
    `  enrollment sync: ${enrollmentSync}`,
  ];
}

/**
 * `replay --failed`: after a fix on the Moodle side, re-runs exactly what
 * failed (from the open sync errors), as ordinary idempotent syncs, and by
 * default waits to report how each went.
 */
export async function runReplayCommand(options: ReplayCommandOptions): Promise<void> {
  await withOps(['MONGODB_URI', 'TEMPORAL_ADDRESS'], async (ops) => {
    const since = new Date(Date.now() - options.since);
    const { plan, started } = await replayFailedSyncs(await ops.stores(), await launcherFor(ops), {
      since,
      courseIds: options.course,
      dryRun: options.dryRun,
    });
    if (!options.json) {
      for (const line of planLines(plan, since)) console.log(line);
      if (options.dryRun && !isEmptyPlan(plan)) console.log('Dry run: nothing was started.');
      for (const workflow of started) console.log(`Started ${workflow.workflowId}`);
    }
    const finished = options.wait ? await waitForAll(ops, started, options.json === true) : [];
    if (options.json) {
      printJson({
        since,
        dryRun: options.dryRun === true,
        plan,
        workflowIds: started.map((workflow) => workflow.workflowId),
        results: finished.map(resultJson),
      });
    }
    process.exitCode = exitCodeOf(finished);
  });
}
