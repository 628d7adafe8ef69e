import { executeChild, log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { deniesEveryCourse, FAILURE_TYPES } from '../src/domain/sync-failure';
import {
  DEFAULT_COURSE_CONCURRENCY,
  type SyncOutcome,
  type SyncRunError,
  type SyncTrigger,
} from '../src/domain/sync-run';
import {
  BOOKKEEPING_START_TO_CLOSE_MS,
  COURSE_ENROLLMENT_SYNC_HEARTBEAT_MS,
  COURSE_ENROLLMENT_SYNC_START_TO_CLOSE_MS,
  ENROLLMENT_SYNC_BATCH_SIZE,
  MOODLE_ACTIVITY_RETRY,
} from './settings';
import { describeFailure, moodleCallsOf } from './failures';
import { addCounts, failSyncRun, finishSyncRun, startSyncRun } from './sync-run';

const { preflightEnrollmentSync } = proxyActivities<Activities>({
  startToCloseTimeout: BOOKKEEPING_START_TO_CLOSE_MS,
  retry: MOODLE_ACTIVITY_RETRY,
});
const { listCoursesToSync, recordCourseFailure } = proxyActivities<Activities>({
  startToCloseTimeout: BOOKKEEPING_START_TO_CLOSE_MS,
});

/** Tunables travel in the input (from the schedule or the trigger) so workflow code reads no configuration. */
export interface EnrollmentSyncTuning {
  /** Courses synced at once (SYNC_COURSE_CONCURRENCY). */
  concurrency?: number;
  /** Courses per child workflow. */
  batchSize?: number;
  /** How soon a silent worker's course is retried elsewhere. */
  heartbeatTimeoutMs?: number;
}

export interface EnrollmentSyncInput extends EnrollmentSyncTuning {
  trigger?: SyncTrigger;
  /** Only these courses (a replay); every course with enrollments otherwise. */
  courseIds?: number[];
}

export interface EnrollmentSyncCounts {
  coursesToSync: number;
  coursesSynced: number;
  /** Every course that could not be synced, the two kinds below included. */
  coursesFailed: number;
  /** Moodle refused access (permission problems). */
  coursesDenied: number;
  /** Deleted in Moodle but not yet by the course sync: skipped, enrollments keep their last grades. */
  coursesMissing: number;
  coursesGradesHidden: number;
  coursesPerStudent: number;
  /** Another sync held the course through all of this run's tries: not a failure, that sync covers it. */
  coursesBusy: number;
  enrollmentsChanged: number;
  enrollmentsUnchanged: number;
  enrollmentsFailed: number;
}

export interface EnrollmentSyncResult {
  syncRunId: string;
  outcome: Exclude<SyncOutcome, 'RUNNING'>;
  counts: EnrollmentSyncCounts;
  moodleCalls: Record<string, number>;
}

export interface EnrollmentSyncBatchInput extends Pick<EnrollmentSyncTuning, 'concurrency' | 'heartbeatTimeoutMs'> {
  courseIds: number[];
  /** The parent run's, recorded on each course; absent in batches started before it was passed down. */
  trigger?: SyncTrigger;
}

export interface EnrollmentSyncBatchResult {
  counts: EnrollmentSyncCounts;
  moodleCalls: Record<string, number>;
  /** One permission failure, to explain a run in which every course was refused. */
  denial: SyncRunError | null;
  /** Moodle refused the whole site (the token revoked mid-run): the batch started no course after it. */
  stop?: SyncRunError;
}

/** Runs started before these behaviours replay without them (docs/temporal.md §3.4). */
const PATCHES = { courseBusy: 'course-sync-busy', stopOnSiteDenial: 'stop-on-site-wide-denial' } as const;

const NO_COUNTS: EnrollmentSyncCounts = {
  coursesToSync: 0,
  coursesSynced: 0,
  coursesFailed: 0,
  coursesDenied: 0,
  coursesMissing: 0,
  coursesGradesHidden: 0,
  coursesPerStudent: 0,
  coursesBusy: 0,
  enrollmentsChanged: 0,
  enrollmentsUnchanged: 0,
  enrollmentsFailed: 0,
};

/**
 * Reads every followed course's gradebook into its enrollments and records
 * the run. Courses are fanned out to child workflows of at most
 * ENROLLMENT_SYNC_BATCH_SIZE courses, run one after the other so that
 * `concurrency` bounds the whole run, and each history stays small at any
 * size of site.
 */
export async function enrollmentSyncWorkflow(input: EnrollmentSyncInput = {}): Promise<EnrollmentSyncResult> {
  const { workflowId, runId } = workflowInfo();
  const trigger = input.trigger ?? 'SCHEDULE';
  const syncRunId = await startSyncRun({ kind: 'ENROLLMENT', workflowId, runId, trigger });
  let counts = NO_COUNTS;
  let moodleCalls: Record<string, number> = {};
  let denial: SyncRunError | null = null;
  let stop: SyncRunError | undefined;
  try {
    ({ moodleCalls } = await preflightEnrollmentSync());
    const courseIds = await listCoursesToSync({ courseIds: input.courseIds });
    counts = { ...counts, coursesToSync: courseIds.length };
    const batchSize = input.batchSize ?? ENROLLMENT_SYNC_BATCH_SIZE;
    for (let start = 0, batch = 1; start < courseIds.length; start += batchSize, batch += 1) {
      const result = await executeChild(enrollmentSyncBatchWorkflow, {
        workflowId: `${workflowId}-batch-${batch}`,
        args: [
          {
            courseIds: courseIds.slice(start, start + batchSize),
            concurrency: input.concurrency,
            heartbeatTimeoutMs: input.heartbeatTimeoutMs,
            trigger,
          },
        ],
      });
      counts = addCounts(counts, result.counts);
      moodleCalls = addCounts(moodleCalls, result.moodleCalls);
      denial ??= result.denial;
      if (result.stop !== undefined && patched(PATCHES.stopOnSiteDenial)) {
        stop = result.stop;
        break;
      }
    }
  } catch (error) {
    const failure = describeFailure(error);
    return failSyncRun(syncRunId, failure, {
      counts: { ...counts },
      moodleCalls: addCounts(moodleCalls, moodleCallsOf(failure)),
    });
  }

  if (stop !== undefined) {
    // The courses not reached keep their last grades; a replay of the run reads them once Moodle is fixed.
    const message = `${stop.message} (stopped after ${counts.coursesSynced} of ${counts.coursesToSync} courses)`;
    return failSyncRun(
      syncRunId,
      { code: stop.code, message, type: FAILURE_TYPES.permission },
      { counts: { ...counts }, moodleCalls },
    );
  }
  if (denial !== null && counts.coursesDenied === counts.coursesToSync) {
    // Moodle refuses the token every course: the sync does nothing useful until a technician acts.
    const message = `Moodle refused access to every course (${counts.coursesDenied}): ${denial.message}`;
    return failSyncRun(
      syncRunId,
      { code: denial.code, message, type: FAILURE_TYPES.permission },
      { counts: { ...counts }, moodleCalls },
    );
  }
  const outcome =
    counts.coursesFailed + counts.coursesGradesHidden + counts.enrollmentsFailed > 0 ? 'PARTIAL' : 'SUCCEEDED';
  await finishSyncRun({ syncRunId, outcome, counts: { ...counts }, moodleCalls, error: null });
  return { syncRunId, outcome, counts, moodleCalls };
}

/**
 * Syncs a batch of courses, at most `concurrency` at once. A failing course
 * is recorded and never stops the others; the next run retries it. Only a
 * refusal of the whole site stops the batch: the courses in progress finish,
 * and no other starts.
 */
export async function enrollmentSyncBatchWorkflow(input: EnrollmentSyncBatchInput): Promise<EnrollmentSyncBatchResult> {
  const { syncCourseEnrollments } = proxyActivities<Activities>({
    startToCloseTimeout: COURSE_ENROLLMENT_SYNC_START_TO_CLOSE_MS,
    heartbeatTimeout: input.heartbeatTimeoutMs ?? COURSE_ENROLLMENT_SYNC_HEARTBEAT_MS,
    retry: MOODLE_ACTIVITY_RETRY,
  });
  const result: EnrollmentSyncBatchResult = { counts: NO_COUNTS, moodleCalls: {}, denial: null };

  async function syncCourse(courseId: number): Promise<void> {
    try {
      const {
        moodleCalls,
        gradesHidden,
        perStudent,
        enrollments: _total,
        ...enrollmentCounts
      } = await syncCourseEnrollments({ courseId, trigger: input.trigger });
      result.moodleCalls = addCounts(result.moodleCalls, moodleCalls);
      result.counts = addCounts(result.counts, {
        ...enrollmentCounts,
        coursesSynced: 1,
        coursesGradesHidden: gradesHidden ? 1 : 0,
        coursesPerStudent: perStudent ? 1 : 0,
      });
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.type === FAILURE_TYPES.busy && patched(PATCHES.courseBusy)) {
        // The sync holding the course records its outcome; an error recorded here would outlive it.
        log.info('course left to the sync that holds it', { courseId, code: failure.code, message: failure.message });
        result.counts = addCounts(result.counts, { coursesBusy: 1 });
        return;
      }
      const denied = failure.type === FAILURE_TYPES.permission;
      if (denied) result.denial ??= { code: failure.code, message: failure.message };
      // Set before the failure is recorded, so that no lane takes another course meanwhile.
      if (denied && deniesEveryCourse(failure.details.moodleKind) && patched(PATCHES.stopOnSiteDenial)) {
        result.stop ??= { code: failure.code, message: failure.message };
      }
      await recordCourseFailure({ courseId, code: failure.code, message: failure.message, trigger: input.trigger });
      result.moodleCalls = addCounts(result.moodleCalls, moodleCallsOf(failure));
      result.counts = addCounts(result.counts, {
        coursesFailed: 1,
        coursesDenied: denied ? 1 : 0,
        coursesMissing: failure.details.moodleKind === 'course-not-found' ? 1 : 0,
      });
    }
  }

  // Lanes take the next course as soon as they are free: one slow course does not hold up a whole wave.
  let next = 0;
  const lane = async () => {
    for (let courseId = input.courseIds[next++]; courseId !== undefined; courseId = input.courseIds[next++]) {
      await syncCourse(courseId);
      if (result.stop !== undefined) return;
    }
  };
  const lanes = Math.max(1, Math.min(input.concurrency ?? DEFAULT_COURSE_CONCURRENCY, input.courseIds.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return result;
}
