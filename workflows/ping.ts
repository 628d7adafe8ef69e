import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVITY_START_TO_CLOSE_MS } from '../src/temporal/config';

const { recordPing } = proxyActivities<Activities>({ startToCloseTimeout: ACTIVITY_START_TO_CLOSE_MS });

/** The smallest end-to-end path: a workflow whose activity writes to MongoDB. */
export async function pingWorkflow(): Promise<string> {
  return recordPing(workflowInfo().workflowId);
}
