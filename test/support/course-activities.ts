import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One `syncCourseEnrollments` activity of an enrollment sync, as its batch child's history tells it. */
export interface CourseActivity {
  courseId: number;
  /** The child workflow whose history holds it. */
  workflowId: string;
  /** The attempt that ended it (Temporal records the last attempt's start only). */
  attempt: number;
  /** The worker that ran that attempt. */
  startedBy?: string;
  outcome: 'completed' | 'failed' | 'timedOut' | 'running';
  /** From the last attempt's start to its end. */
  durationMs?: number;
}

const SYNC_COURSE_ACTIVITY = 'syncCourseEnrollments';

function millis(event: HistoryEvent): number {
  const { seconds, nanos } = event.eventTime ?? {};
  return Number(seconds ?? 0) * 1000 + Math.floor((nanos ?? 0) / 1e6);
}

/** The ids of the batch children an enrollment sync started, in order. */
export async function batchWorkflowIds(client: Client, workflowId: string): Promise<string[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return events.flatMap(
    (event) => event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId ?? [],
  );
}

/** Every course activity of the enrollment sync `workflowId` (across its batch children), in scheduling order. */
export async function courseActivities(client: Client, workflowId: string): Promise<CourseActivity[]> {
  const activities: CourseActivity[] = [];
  for (const childId of await batchWorkflowIds(client, workflowId)) {
    const events = (await client.workflow.getHandle(childId).fetchHistory()).events ?? [];
    const byScheduledId = new Map<string, CourseActivity>();
    const startedAt = new Map<string, number>();
    for (const event of events) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === SYNC_COURSE_ACTIVITY) {
        const [input] = (scheduled.input?.payloads ?? []).map((payload) =>
          defaultPayloadConverter.fromPayload<{ courseId: number }>(payload),
        );
        const activity: CourseActivity = {
          courseId: input!.courseId,
          workflowId: childId,
          attempt: 0,
          outcome: 'running',
        };
        byScheduledId.set(String(event.eventId), activity);
        activities.push(activity);
      }
      const started = event.activityTaskStartedEventAttributes;
      const startedActivity = byScheduledId.get(String(started?.scheduledEventId));
      if (started && startedActivity) {
        startedActivity.attempt = started.attempt ?? 0;
        startedActivity.startedBy = started.identity ?? undefined;
        startedAt.set(String(started.scheduledEventId), millis(event));
      }
      const ended =
        (event.activityTaskCompletedEventAttributes &&
          (['completed', event.activityTaskCompletedEventAttributes] as const)) ||
        (event.activityTaskFailedEventAttributes && (['failed', event.activityTaskFailedEventAttributes] as const)) ||
        (event.activityTaskTimedOutEventAttributes &&
          (['timedOut', event.activityTaskTimedOutEventAttributes] as const));
      const endedActivity = ended && byScheduledId.get(String(ended[1].scheduledEventId));
      if (ended && endedActivity) {
        endedActivity.outcome = ended[0];
        const start = startedAt.get(String(ended[1].scheduledEventId));
        if (start !== undefined) endedActivity.durationMs = millis(event) - start;
      }
    }
  }
  return activities;
}

/**
 * The size of the largest event in the histories of the enrollment sync `workflowId` and its batches, its
 * payloads read as the text they hold (as the Temporal UI shows them): what a gradebook passing through a
 * history would make large.
 */
export async function largestHistoryEvent(client: Client, workflowId: string): Promise<number> {
  const size = (event: HistoryEvent) =>
    JSON.stringify(event, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
    ).length;
  let largest = 0;
  for (const id of [workflowId, ...(await batchWorkflowIds(client, workflowId))]) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    for (const event of events) largest = Math.max(largest, size(event));
  }
  return largest;
}
