import {
  startCourseSync,
  startEnrollmentSync,
  type CourseSyncResult,
  type EnrollmentSyncResult,
} from '../src/temporal/client';
import { largestHistory, sampleMemory, timed, writtenSince, type MemoryPeak } from './measure';
import type { BenchStack } from './stack';
import type { MemoryBreakdown } from './worker-process';

/** Everything measured about one course sync followed by one enrollment sync. */
export interface SyncRunFigures {
  courseSync: { ms: number; result: CourseSyncResult; moodleCalls: Record<string, number> };
  enrollmentSync: {
    ms: number;
    result: EnrollmentSyncResult;
    moodleCalls: Record<string, number>;
    /** Database commands the worker process sent during the enrollment sync, by command name. */
    databaseCommands: Record<string, number>;
  };
  /** Sum of the simulator's latency over both syncs' calls. */
  moodleLatencyMs: number;
  /** Enrollments whose document the run wrote, as `courseId:moodleUserId`. */
  written: Set<string>;
  largestHistory: { workflowId: string; events: number };
  /** The benchmark process (simulator and site model included). */
  memory: MemoryPeak;
  /** The worker process alone, during the enrollment sync. */
  workerPeakRssMb: number;
  /** What Node says the worker's memory was made of at its sampled peak. */
  workerMemoryAtPeak?: MemoryBreakdown;
  /** When the run started: every document it wrote has a later `updatedAt`. */
  since: Date;
}

/**
 * Runs a course sync, then `between` (untimed), then an enrollment sync,
 * through the worker, as ops would trigger them.
 */
export async function runSyncs(
  stack: BenchStack,
  between: () => Promise<unknown> = async () => {},
): Promise<SyncRunFigures> {
  const client = stack.connections.temporal;
  const taskQueue = stack.config.temporal.taskQueue;
  const { calls } = stack.sim;
  const since = new Date();
  calls.reset();
  const stopSampling = sampleMemory();

  const course = await timed(async () => {
    const { workflowId, runId } = await startCourseSync(client, taskQueue, { trigger: 'MANUAL', now: new Date() });
    return { workflowId, result: (await client.workflow.getHandle(workflowId, runId).result()) as CourseSyncResult };
  });
  const courseCalls = calls.byFunction();
  let moodleLatencyMs = calls.latencyMs();
  calls.reset();

  await between();

  await stack.worker?.reset();
  const enrollment = await timed(async () => {
    const { workflowId, runId } = await startEnrollmentSync(client, taskQueue, {
      trigger: 'MANUAL',
      concurrency: stack.config.sync.courseConcurrency,
    });
    return {
      workflowId,
      result: (await client.workflow.getHandle(workflowId, runId).result()) as EnrollmentSyncResult,
    };
  });
  const memory = stopSampling();
  const workerFigures = (await stack.worker?.read()) ?? { commands: {}, peakRssMb: Number.NaN, atPeak: undefined };
  const enrollmentCalls = calls.byFunction();
  moodleLatencyMs += calls.latencyMs();

  const courseRun = course.result;
  const enrollmentRun = enrollment.result;
  const histories = await Promise.all([
    largestHistory(client, courseRun.workflowId),
    largestHistory(client, enrollmentRun.workflowId, enrollmentRun.result.counts.coursesToSync),
  ]);
  const written = await writtenSince(stack.connections.stores.enrollments, since);
  return {
    courseSync: { ms: course.ms, result: courseRun.result, moodleCalls: courseCalls },
    enrollmentSync: {
      ms: enrollment.ms,
      result: enrollmentRun.result,
      moodleCalls: enrollmentCalls,
      databaseCommands: workerFigures.commands,
    },
    moodleLatencyMs,
    written,
    largestHistory: histories[0].events >= histories[1].events ? histories[0] : histories[1],
    memory,
    workerPeakRssMb: workerFigures.peakRssMb,
    workerMemoryAtPeak: workerFigures.atPeak,
    since,
  };
}
