import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { CourseSyncInput, CourseSyncResult } from '../../workflows/course-sync';
import type { EnrollmentSyncInput, EnrollmentSyncResult } from '../../workflows/enrollment-sync';
import type { SyncKind, SyncTrigger } from '../store/sync-runs';
import { COURSE_SYNC_WORKFLOW_ID, ENROLLMENT_SYNC_WORKFLOW_ID, enrollmentSyncCourseWorkflowId } from './config';

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
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
async function startJoiningRunning(
  client: Client,
  workflowType: 'courseSyncWorkflow' | 'enrollmentSyncWorkflow',
  options: { taskQueue: string; workflowId: string; args: unknown[]; memo: Record<string, unknown> },
): Promise<StartedWorkflow> {
  const handle = await client.workflow.start(workflowType, {
    ...options,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return { workflowId: options.workflowId, runId: handle.firstExecutionRunId };
}

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
  return startJoiningRunning(client, 'courseSyncWorkflow', {
    taskQueue,
    workflowId: `${COURSE_SYNC_WORKFLOW_ID}-${trigger.toLowerCase()}-${input.now.toISOString()}`,
    args: [{ trigger } satisfies CourseSyncInput],
    memo: syncMemo('COURSE', trigger),
  });
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
  return startJoiningRunning(client, 'enrollmentSyncWorkflow', {
    taskQueue,
    workflowId,
    args: [{ ...rest, trigger } satisfies EnrollmentSyncInput],
    memo: syncMemo('ENROLLMENT', trigger, rest.courseIds),
  });
}

export type { CourseSyncResult, EnrollmentSyncResult };
