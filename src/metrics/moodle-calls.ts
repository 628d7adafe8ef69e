import type { MoodleErrorKind } from '../domain/moodle-data';
import type { ServiceMetrics } from './registry';

/** One Moodle web-service call as the client reports it (src/moodle/client.ts `onCall`). */
export interface MoodleCallObservation {
  /** One of the client's MOODLE_FUNCTIONS: a bounded set, never a URL. */
  wsfunction: string;
  durationMs: number;
  /** Absent when the call succeeded. */
  errorKind?: MoodleErrorKind;
}

/** Records each call's latency by result (`ok` or the error kind), and failed calls by kind. */
export function moodleCallRecorder(metrics: ServiceMetrics): (call: MoodleCallObservation) => void {
  const durations = metrics.histogram('moodleCallDuration');
  const errors = metrics.counter('moodleCallErrors');
  return ({ wsfunction, durationMs, errorKind }) => {
    durations.observe({ wsfunction, result: errorKind ?? 'ok' }, durationMs / 1000);
    if (errorKind !== undefined) errors.inc({ wsfunction, kind: errorKind });
  };
}
