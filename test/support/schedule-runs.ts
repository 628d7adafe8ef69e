import type { Client, WorkflowHandle } from '@temporalio/client';

const POLL_MS = 100;
const STARTED_WITHIN_MS = 10_000;

/**
 * Triggers a schedule now, as its next interval would start it (its own overlap policy, its own input
 * and workflow id), and returns the handle of the run it started. Runs are told apart by run id: the
 * schedule names its runs to the second, so two runs triggered within one second share a workflow id.
 */
export async function triggerScheduledRun(client: Client, scheduleId: string): Promise<WorkflowHandle> {
  const schedule = client.schedule.getHandle(scheduleId);
  const startedRuns = async () =>
    (await schedule.describe()).info.recentActions.map((action) => action.action.workflow);
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
