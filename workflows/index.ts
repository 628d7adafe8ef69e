// The single entry point of the workflow bundle: export every workflow here.
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export { courseSyncWorkflow } from './course-sync';
export { enrollmentSyncBatchWorkflow, enrollmentSyncWorkflow } from './enrollment-sync';
export { moodleEventRefreshWorkflow } from './moodle-event-refresh';

/**
 * Tracing inside the sandbox: RunWorkflow, StartActivity and StartChildWorkflow spans, whose
 * context goes to activities and child workflows in their headers. Only a traced worker registers
 * this module as an interceptor module (src/temporal/worker.ts); its spans leave the sandbox through
 * the `exporter` sink. Other workers never call it.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
