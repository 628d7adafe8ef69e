import type { ServiceMetrics } from './registry';

/** One answered GraphQL request, labelled by what the schema bounds (never the client-chosen operation name). */
export interface GraphqlOperationObservation {
  /** `query`, `mutation`, `subscription`, or `unknown` when the request named no valid operation. */
  operation: string;
  /** The operation's root field, `multiple` for several, `unknown` for none the schema has. */
  field: string;
  /** `ok`, or the first error's `extensions.code`. */
  code: string;
  durationMs: number;
}

export function graphqlOperationRecorder(metrics: ServiceMetrics): (observation: GraphqlOperationObservation) => void {
  const requests = metrics.counter('apiRequests');
  const durations = metrics.histogram('apiDuration');
  return ({ operation, field, code, durationMs }) => {
    requests.inc({ operation, field, code });
    durations.observe({ operation, field }, durationMs / 1000);
  };
}

/** How `POST /hooks/moodle` answered an event. */
export interface MoodleEventObservation {
  work: string;
  outcome: string;
  status: number;
}

export function moodleEventRecorder(metrics: ServiceMetrics): (observation: MoodleEventObservation) => void {
  const events = metrics.counter('moodleEvents');
  return ({ work, outcome, status }) => events.inc({ work, outcome, status: String(status) });
}
