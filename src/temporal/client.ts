import { Client, Connection, WorkflowIdConflictPolicy, type ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { courseSyncWorkflow, enrollmentSyncWorkflow } from '../../workflows';
import type { CourseSyncInput, CourseSyncResult } from '../../workflows/course-sync';
import type { EnrollmentSyncInput, EnrollmentSyncResult } from '../../workflows/enrollment-sync';
import type { SyncKind, SyncTrigger } from '../domain/sync-run';
import { activeTracing, type Tracing } from '../telemetry/tracing';
import { COURSE_SYNC_WORKFLOW_ID, ENROLLMENT_SYNC_WORKFLOW_ID, enrollmentSyncCourseWorkflowId } from './workflow-ids';

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

export interface StartedWorkflow {
  workflowId: string;
  runId: string;
}

/** A second request for a sync that is still running joins it instead of starting a twin. */
const JOIN_RUNNING = { workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING } as const;

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
 * Starts an enrollment sync now: of one course (a technician's replay, id
 * `enrollment-sync-course-<id>`), of chosen courses, or of all.
 */
export async function startEnrollmentSync(
  client: Client,
  taskQueue: string,
  input: EnrollmentSyncInput & { now: Date },
): Promise<StartedWorkflow> {
  const { now, ...rest } = input;
  const trigger = rest.trigger ?? 'MANUAL';
  const [onlyCourse, ...others] = rest.courseIds ?? [];
  const workflowId =
    onlyCourse !== undefined && others.length === 0
      ? enrollmentSyncCourseWorkflowId(onlyCourse)
      : `${ENROLLMENT_SYNC_WORKFLOW_ID}-${trigger.toLowerCase()}-${now.toISOString()}`;
  const handle = await client.workflow.start(enrollmentSyncWorkflow, {
    ...JOIN_RUNNING,
    taskQueue,
    workflowId,
    args: [{ ...rest, trigger }],
    memo: syncMemo('ENROLLMENT', trigger, rest.courseIds),
  });
  return { workflowId, runId: handle.firstExecutionRunId };
}

export type { CourseSyncResult, EnrollmentSyncResult };
