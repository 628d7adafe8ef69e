import type { ConnectionStatus } from '../domain/connection-state';
import type { SyncRunDocument } from '../store';
import { readSyncStatus } from '../use-cases/sync-status';
import { EXIT } from './exit-codes';
import { printJson, withOps } from './ops';

const EXIT_OF_STATUS: Record<ConnectionStatus, number> = {
  HEALTHY: EXIT.ok,
  FAILING: EXIT.syncFailed,
  DEGRADED: EXIT.partial,
  UNKNOWN: EXIT.partial,
};

function runSummary(run: SyncRunDocument | null) {
  return (
    run && {
      workflowId: run.workflowId,
      trigger: run.trigger,
      outcome: run.outcome,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      error: run.error,
    }
  );
}

function runLine(label: string, run: SyncRunDocument | null): string {
  if (run === null) return `${label}: none yet`;
  const when = (run.finishedAt ?? run.startedAt).toISOString();
  const failure = run.error ? ` — ${run.error.code}` : '';
  return `${label}: ${run.outcome} at ${when} (${run.trigger.toLowerCase()}, workflow ${run.workflowId})${failure}`;
}

/**
 * The connection state the SMS front end shows, from the sync's own records
 * (MongoDB only: works while Temporal or Moodle is down).
 */
export async function runStatusCommand(options: { json?: boolean }): Promise<void> {
  await withOps(['MONGODB_URI'], async (ops) => {
    const stores = await ops.stores();
    const { state, lastCourseSync, lastEnrollmentSync, openErrors } = await readSyncStatus(
      stores,
      new Date(),
      ops.config.sync,
    );
    if (options.json) {
      printJson({
        connection: state.status,
        message: state.message,
        cause: state.cause,
        lastSuccessAt: state.lastSuccessAt,
        lastCourseSync: runSummary(lastCourseSync),
        lastEnrollmentSync: runSummary(lastEnrollmentSync),
        openErrors,
      });
    } else {
      const { devStack } = ops.config.local;
      if (devStack) console.log(`(the dev stack of this folder, pid ${devStack.pid}: ${devStack.graphqlUrl})`);
      console.log(`Connection: ${state.status}${state.cause ? ` (${state.cause})` : ''}`);
      console.log(state.message);
      console.log(`Last success: ${state.lastSuccessAt?.toISOString() ?? 'never'}`);
      console.log(runLine('Last course sync', lastCourseSync));
      console.log(runLine('Last enrollment sync', lastEnrollmentSync));
      for (const group of openErrors) {
        console.log(
          `Open sync errors ${group.code}: ${group.courses} course(s), ${group.enrollments} enrollment(s) ` +
            `— ${group.message}`,
        );
      }
    }
    process.exitCode = EXIT_OF_STATUS[state.status];
  });
}
