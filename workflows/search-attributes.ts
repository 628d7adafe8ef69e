import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * How a sync run ended, so that ops can filter runs in the Temporal UI, where a PARTIAL run is as "Completed"
 * as a clean one. The server must have it registered: the worker refuses to start otherwise (docs/temporal.md §4.7).
 */
export const SYNC_OUTCOME = defineSearchAttributeKey('SyncOutcome', SearchAttributeType.KEYWORD);
