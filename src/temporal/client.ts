import {
  Client,
  Connection,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type ClientInterceptors,
} from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { courseSyncWorkflow, enrollmentSyncWorkflow, moodleEventRefreshWorkflow } from '../../workflows';
import { moodleEventSignal } from '../../workflows/moodle-event-refresh';
import type { CourseSyncInput, CourseSyncResult } from '../../workflows/course-sync';
import type { EnrollmentSyncInput, EnrollmentSyncResult, EnrollmentSyncTuning } from '../../workflows/enrollment-sync';
import type { RefreshTarget } from '../domain/moodle-events';
import type { SyncKind, SyncTrigger } from '../domain/sync-run';
import { activeTracing, type Tracing } from '../telemetry/tracing';
import { COURSE_SYNC_WORKFLOW_ID, courseSet, enrollmentSyncWorkflowId, refreshWorkflowId } from './workflow-ids';

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, interceptors: clientInterceptors(activeTracing()) });
}

/**
 * In a process that traces (src/telemetry/tracing.ts: the API), a workflow started here gets a
 * StartWorkflow span that its headers carry to the worker, so the run's trace begins at its start.
 * Scheduled runs are started by the Temporal server: theirs begin at RunWorkflow.
 */
export function clientInterceptors(tracing: Tracing | undefined): ClientInterceptors | undefined {
  return tracing && { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/**
 * Shown on the workflow's page in the Temporal UI, so ops see what a run is
 * without opening its input: the kind, what started it, and its courses.
 */
export function syncMemo(kind: SyncKind, trigger: SyncTrigger, courseIds?: readonly number[]): Record<string, unknown> {
  return { kind, trigger, courses: courseIds === undefined ? 'all' : courseIds.join(', ') };
}

/**
 * The run a request started or joined. Temporal's answer says which (`started`), but SDK 1.24 does not
 * pass it on: both look the same here.
 */
export interface StartedWorkflow {
  workflowId: string;
  runId: string;
}

/**
 * A second request for a sync that is still running joins it instead of starting a twin; once it has
 * closed, whatever its outcome, the same id starts a new run.
 */
const JOIN_RUNNING = {
  workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
} as const;

/**
 * Starts a course sync now. The id carries the trigger and the time so ops
 * can tell it from scheduled runs.
 */
export async function startCourseSync(
  client: Client,
  taskQueue: string,
  input: CourseSyncInput & { now: Date },
): Promise<StartedWorkflow> {
  const trigger = input.trigger ?? 'MANUAL';
  const workflowId = `${COURSE_SYNC_WORKFLOW_ID}-${trigger.toLowerCase()}-${input.now.toISOString()}`;
  const handle = await client.workflow.start(courseSyncWorkflow, {
    ...JOIN_RUNNING,
    taskQueue,
    workflowId,
    args: [{ trigger }],
    memo: syncMemo('COURSE', trigger),
  });
  return { workflowId, runId: handle.firstExecutionRunId };
}

/**
 * Starts an enrollment sync now, of every course or of a set of them, or joins the one running for the
 * same courses and trigger (`enrollmentSyncWorkflowId`). Syncs that overlap without being identical
 * (the schedule's and a manual one, all courses and one) run side by side; each course still has one
 * sync at a time, by its lease (activities/course-lease.ts).
 */
export async function startEnrollmentSync(
  client: Client,
  taskQueue: string,
  input: EnrollmentSyncInput,
): Promise<StartedWorkflow> {
  const trigger = input.trigger ?? 'MANUAL';
  const courseIds = input.courseIds === undefined ? undefined : courseSet(input.courseIds);
  const workflowId = enrollmentSyncWorkflowId(trigger, courseIds);
  const handle = await client.workflow.start(enrollmentSyncWorkflow, {
    ...JOIN_RUNNING,
    taskQueue,
    workflowId,
    args: [{ trigger, courseIds, ...tuningOf(input) }],
    memo: syncMemo('ENROLLMENT', trigger, courseIds),
  });
  return { workflowId, runId: handle.firstExecutionRunId };
}

/**
 * Tells the refresh of `target` that Moodle sent `eventName`, starting the refresh if none is running
 * (signal-with-start: one round trip, and no window in which an event finds no workflow to join).
 */
export async function signalMoodleEvent(
  client: Client,
  taskQueue: string,
  target: RefreshTarget,
  eventName: string,
): Promise<StartedWorkflow> {
  const workflowId = refreshWorkflowId(target);
  const handle = await client.workflow.signalWithStart(moodleEventRefreshWorkflow, {
    taskQueue,
    workflowId,
    args: [{ target }],
    signal: moodleEventSignal,
    signalArgs: [{ eventName }],
    memo:
      target.kind === 'COURSE_LIST'
        ? syncMemo('COURSE', 'MOODLE_EVENT')
        : syncMemo('ENROLLMENT', 'MOODLE_EVENT', [target.courseId]),
  });
  return { workflowId, runId: handle.signaledRunId };
}

/** Only the tunables travel on: whatever else a caller's object carries stays out of the run's input. */
function tuningOf({ concurrency, batchSize, heartbeatTimeoutMs }: EnrollmentSyncTuning): EnrollmentSyncTuning {
  return { concurrency, batchSize, heartbeatTimeoutMs };
}

export type { CourseSyncResult, EnrollmentSyncResult };
