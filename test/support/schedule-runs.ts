import type { Client, WorkflowHandle } from '@temporalio/client';

const POLL_MS = 100;
const STARTED_WITHIN_MS = 10_000;

/**
 * Triggers a schedule now, as its next interval would start it (its own overlap policy, its own input
 * and workflow id), and returns the handle of the run it started. The schedule names its runs to the
 * second, so a run is never triggered within the second of the one before: each keeps an id of its own,
 * as runs of a real interval do.
 */
export async function triggerScheduledRun(client: Client, scheduleId: string): Promise<WorkflowHandle> {
  const schedule = client.schedule.getHandle(scheduleId);
  const recentActions = async () => (await schedule.describe()).info.recentActions;
  const startedRuns = async () => (await recentActions()).map((action) => action.action.workflow);
  const last = (await recentActions()).at(-1)?.takenAt;
  if (last !== undefined) {
    const nextSecond = Math.floor(last.getTime() / 1000) * 1000 + 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextSecond - Date.now())));
  }
  const before = new Set((await startedRuns()).map((run) => run.firstExecutionRunId));
  await schedule.trigger();
  const deadline = Date.now() + STARTED_WITHIN_MS;
  for (;;) {
    const started = (await startedRuns()).find((run) => !before.has(run.firstExecutionRunId));
    if (started !== undefined) return client.workflow.getHandle(started.workflowId, started.firstExecutionRunId);
    if (Date.now() > deadline) throw new Error(`schedule ${scheduleId} started no run within ${STARTED_WITHIN_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
