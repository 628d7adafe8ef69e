import { readSyncStatus } from '../../src/use-cases/sync-status';
import { SYNC_OUTCOME } from '../../workflows/search-attributes';
import type { ServiceStack } from './service-stack';

const HEALTH_OF = { SUCCEEDED: 'HEALTHY', PARTIAL: 'DEGRADED' } as const;

/**
 * A run's outcome as every place ops look at tells it, once the run is over: its one `sync_runs`
 * record, the connection state (`readSyncStatus`, as `sms-sync status` reads it), GraphQL
 * `syncStatus` (what the SMS front end shows) and its `SyncOutcome` in the Temporal UI.
 */
export async function expectRunToldEverywhere(
  stack: ServiceStack,
  workflowId: string,
  outcome: keyof typeof HEALTH_OF,
): Promise<void> {
  const { stores, temporal } = stack.connections;
  const runs = await stores.syncRuns.collection.find({ workflowId }).toArray();
  expect(runs.map((run) => run.outcome)).toEqual([outcome]);
  const { state } = await readSyncStatus(stores, new Date(), stack.config.sync);
  expect(state.status).toBe(HEALTH_OF[outcome]);
  const response = await stack.read<{ syncStatus: { connection: string; lastEnrollmentSync: unknown } }>(
    '{ syncStatus { connection lastEnrollmentSync { workflowId outcome } } }',
  );
  expect(response.body).toEqual({
    data: {
      syncStatus: { connection: HEALTH_OF[outcome], lastEnrollmentSync: { workflowId, outcome } },
    },
  });
  const { typedSearchAttributes } = await temporal.workflow.getHandle(workflowId).describe();
  expect(typedSearchAttributes.get(SYNC_OUTCOME)).toBe(outcome);
}
