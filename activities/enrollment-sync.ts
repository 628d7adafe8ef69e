import { SYNC_SCOPES } from '../src/domain/sync-scopes';
import { Context } from '@temporalio/activity';
import type { ObjectId } from 'mongodb';
import {
  choosePerStudentDownloads,
  createEnrollmentSyncPlanner,
  DEFAULT_PER_STUDENT_SETTINGS,
  GRADES_HIDDEN_BY_REPORT,
  gradesHiddenMessage,
  planEnrollmentSync,
  type EnrollmentSyncPlan,
  type EnrollmentUpdate,
  type GradebookCount,
  type PerStudentSettings,
  type StoredEnrollment,
} from '../src/domain/enrollment-sync';
import type { UserGrades } from '../src/domain/moodle-data';
import type { SyncTrigger } from '../src/domain/sync-run';
import { NO_SYNC_METRICS, type SyncMetrics } from '../src/metrics/sync-metrics';
import { isMoodleError, MOODLE_FUNCTIONS, type MoodleClient, type MoodleSession } from '../src/moodle';
import type { CourseDocument, Stores } from '../src/store';
import type { EnrollmentSyncWrite } from '../src/store/enrollments';
import { COURSE_SYNC_BUSY_RETRY_MS, holdCourse, type HeldCourse } from './course-lease';
import { failureLogFields, toActivityFailure } from './failures';

/** What an enrollment sync needs from Moodle; checked once per run before any course is read. */
export const ENROLLMENT_SYNC_FUNCTIONS = [
  MOODLE_FUNCTIONS.siteInfo,
  MOODLE_FUNCTIONS.courseContents,
  MOODLE_FUNCTIONS.gradeItems,
] as const;

/** What an activity scheduled without a heartbeat timeout paces its beats and course hold by. */
const UNSET_HEARTBEAT_TIMEOUT_MS = 30_000;

/** Counts only: gradebooks never pass through workflow history. */
export interface CourseEnrollmentSyncResult {
  enrollments: number;
  enrollmentsChanged: number;
  enrollmentsUnchanged: number;
  enrollmentsFailed: number;
  gradesHidden: boolean;
  perStudent: boolean;
  moodleCalls: Record<string, number>;
}

export interface CourseEnrollmentSyncInput {
  courseId: number;
  /** What started the sync, recorded on the course; absent in histories recorded before it was: SCHEDULE. */
  trigger?: SyncTrigger;
}

export interface CourseFailureInput {
  courseId: number;
  code: string;
  message: string;
  /** What started the failed sync, recorded on the course; absent in older histories: SCHEDULE. */
  trigger?: SyncTrigger;
}

export interface EnrollmentSyncDeps {
  stores: Stores;
  moodle: MoodleClient;
  now: () => Date;
  perStudent?: PerStudentSettings;
  /** The worker's metrics; none by default (tests). */
  metrics?: SyncMetrics;
  /** How soon a course another run is syncing is tried again. */
  courseBusyRetryMs?: number;
}

export function createEnrollmentSyncActivities({
  stores,
  moodle,
  now,
  perStudent = DEFAULT_PER_STUDENT_SETTINGS,
  metrics = NO_SYNC_METRICS,
  courseBusyRetryMs = COURSE_SYNC_BUSY_RETRY_MS,
}: EnrollmentSyncDeps) {
  return {
    /** Fails the run early, with the technician's message, when the token cannot do the job at all. */
    async preflightEnrollmentSync(): Promise<{ moodleCalls: Record<string, number> }> {
      const session = moodle.scoped(Context.current().cancellationSignal);
      try {
        await session.preflight(ENROLLMENT_SYNC_FUNCTIONS);
        return { moodleCalls: session.calls.byFunction() };
      } catch (error) {
        throw toActivityFailure(error, { moodleCalls: session.calls.byFunction() });
      }
    },

    /**
     * Courses with enrollments that are not deleted, in id order. Errors of
     * deleted courses are resolved: their enrollments keep their last grades
     * and nothing about them can be fixed any more.
     */
    async listCoursesToSync(input: { courseIds?: number[] }): Promise<number[]> {
      const withEnrollments = await stores.enrollments.courseIds(input.courseIds);
      const { live, deleted } = await stores.courses.partitionDeleted(withEnrollments);
      await stores.syncErrors.resolveCourses(deleted, now());
      return live;
    },

    /**
     * Downloads one course's contents and gradebook (two calls, or one per
     * enrollment for courses the SMS follows few students of), computes every
     * enrollment and writes only what changed. Moodle failures fail the
     * course (permission problems without retries); the workflow records them.
     * The course is held from the first read to the last write: a course
     * another sync holds fails as busy, and is retried once that one is done.
     * The course's last write records the sync and its trigger as its last try.
     */
    async syncCourseEnrollments(input: CourseEnrollmentSyncInput): Promise<CourseEnrollmentSyncResult> {
      const { courseId, trigger = 'SCHEDULE' } = input;
      const session = moodle.scoped(Context.current().cancellationSignal);
      const progress = { courseId, phase: 'download', batchesWritten: 0 };
      // The heartbeat timeout paces the beats, and bounds how long a dead worker's hold on the course outlives it.
      const heartbeatTimeoutMs = Context.current().info.heartbeatTimeoutMs || UNSET_HEARTBEAT_TIMEOUT_MS;
      let held: HeldCourse | undefined;
      const stopHeartbeat = keepHeartbeating(progress, heartbeatTimeoutMs, () => held?.renew());
      try {
        const hold = await holdCourse(courseId, heartbeatTimeoutMs, { stores, now, retryMs: courseBusyRetryMs });
        held = hold;
        const [course, enrollments] = await Promise.all([
          stores.courses.get(courseId),
          stores.enrollments.syncStates(courseId),
        ]);
        // Taken before Moodle is asked: whatever this attempt writes is at least this fresh.
        const readAt = now();
        const usePerStudent = choosePerStudentDownloads(enrollments.length, gradebookCount(course), perStudent, readAt);
        const stored = enrollments.map((enrollment) => ({
          id: enrollment._id,
          moodleUserId: enrollment.moodleUserId,
          snapshotHash: enrollment.snapshotHash,
          syncErrorCode: enrollment.syncError?.code ?? null,
        }));
        const writeResults = async (writes: readonly EnrollmentSyncWrite[], at: Date) => {
          // Nothing is written under a hold that lapsed: another run may have taken the course meanwhile.
          hold.assertHeld();
          await stores.enrollments.writeSyncResults(stores.reportCards, { courseId, readAt }, writes, at, () => {
            progress.batchesWritten += 1;
          });
        };
        const { plan, gradebookUsers, writtenEarly } = usePerStudent
          ? await readPerStudent(session, courseId, stored)
          : await readWholeGradebook(session, courseId, stored, (updates) => writeResults(updates, now()));
        progress.phase = 'write';
        hold.assertHeld();
        const at = now();
        await recordPlanErrors(stores, courseId, plan, at);
        await writeResults(planWrites(plan, at), at);
        await stores.syncErrors.resolve(
          plan.recovered.map((id) => SYNC_SCOPES.enrollment(id.toHexString())),
          at,
          courseId,
        );
        await stores.courses.recordEnrollmentSync(courseId, gradebookUsers, at, trigger);
        const result: CourseEnrollmentSyncResult = {
          enrollments: enrollments.length,
          enrollmentsChanged: writtenEarly + plan.updates.length,
          enrollmentsUnchanged: plan.unchanged,
          enrollmentsFailed: plan.failures.length,
          gradesHidden: plan.gradesHidden,
          perStudent: usePerStudent,
          moodleCalls: session.calls.byFunction(),
        };
        Context.current().log.info('course enrollments synced', { courseId, ...result });
        return result;
      } catch (error) {
        const failure = toActivityFailure(error, { courseId, moodleCalls: session.calls.byFunction() });
        // One line per failed attempt, with the course; the workflow records the course's failure once retries end.
        Context.current().log.warn('course enrollment sync attempt failed', { courseId, ...failureLogFields(failure) });
        throw failure;
      } finally {
        stopHeartbeat();
        await held?.release();
      }
    },

    /**
     * The error of a course that could not be synced, kept until a later run syncs it, and the failed
     * try on the course (its last successful sync stays as it was).
     */
    async recordCourseFailure(input: CourseFailureInput): Promise<void> {
      const at = now();
      await stores.syncErrors.record(
        {
          scope: SYNC_SCOPES.course(input.courseId),
          courseId: input.courseId,
          code: input.code,
          message: input.message,
        },
        at,
      );
      await stores.courses.recordEnrollmentSyncFailure(input.courseId, input.trigger ?? 'SCHEDULE', at);
      metrics.courseFailed(input.code);
      Context.current().log.warn('course enrollments not synced', { courseId: input.courseId, code: input.code });
    },
  };
}

/**
 * Moodle answers `userid=N` for any existing user, so a student missing from
 * the Moodle course is not noticed here; only an unknown user is. That is the
 * price of the cheaper calls, paid only for courses the SMS barely follows.
 */
/** A count read before it was dated is treated as none: the next read is whole, and dates it. */
function gradebookCount(course: CourseDocument | null): GradebookCount | undefined {
  const { gradebookUsers: users, gradebookCountedAt: countedAt } = course ?? {};
  return users === undefined || countedAt === undefined ? undefined : { users, countedAt };
}

type StoredEnrollments = readonly StoredEnrollment<ObjectId>[];

/**
 * Changed enrollments of a whole gradebook are written in groups of this many while it is still being
 * read: a course of thousands of students then holds at most this many snapshots (report cards
 * included) at once. Each enrollment is written with its own report card, so a read that fails later
 * leaves every enrollment either as it was or as Moodle had it.
 */
const WRITE_WHILE_READING = 250;

interface GradebookRead {
  /** What is left to write once the gradebook is read. */
  plan: EnrollmentSyncPlan<ObjectId>;
  /** Users the whole gradebook had; unknown after per-student reads. */
  gradebookUsers?: number;
  /** Changed enrollments already written while reading. */
  writtenEarly: number;
}

/** The course's contents, then its grade report read a user at a time: only followed users' grades are kept. */
async function readWholeGradebook(
  session: MoodleSession,
  courseId: number,
  stored: StoredEnrollments,
  write: (updates: EnrollmentUpdate<ObjectId>[]) => Promise<void>,
): Promise<GradebookRead> {
  const sections = await session.getCourseContents(courseId);
  const planner = createEnrollmentSyncPlanner(courseId, sections, stored);
  let writtenEarly = 0;
  const gradebookUsers = await session.readGradeReport(courseId, async (grades) => {
    planner.addUser(grades);
    if (planner.pendingUpdates < WRITE_WHILE_READING) return;
    const updates = planner.takeUpdates();
    await write(updates);
    writtenEarly += updates.length;
  });
  return { plan: planner.finish(), gradebookUsers, writtenEarly };
}

async function readPerStudent(
  session: MoodleSession,
  courseId: number,
  stored: StoredEnrollments,
): Promise<GradebookRead> {
  const [sections, gradebook] = await Promise.all([
    session.getCourseContents(courseId),
    downloadPerStudent(session, courseId, stored),
  ]);
  return { plan: planEnrollmentSync(courseId, sections, gradebook, stored), writtenEarly: 0 };
}

async function downloadPerStudent(
  session: MoodleSession,
  courseId: number,
  enrollments: StoredEnrollments,
): Promise<UserGrades[]> {
  const reports = await Promise.all(
    enrollments.map(async ({ moodleUserId }) => {
      try {
        return await session.getGradeItems(courseId, moodleUserId);
      } catch (error) {
        if (isMoodleError(error) && error.kind === 'user-not-found') return [];
        throw error;
      }
    }),
  );
  return reports.flat();
}

/**
 * Error log first, enrollment second: if the attempt dies between the two,
 * the next run finds the enrollment unchanged and writes both again.
 */
async function recordPlanErrors(
  stores: Stores,
  courseId: number,
  plan: EnrollmentSyncPlan<ObjectId>,
  at: Date,
): Promise<void> {
  await stores.syncErrors.recordMany(
    plan.failures.map((failure) => ({
      scope: SYNC_SCOPES.enrollment(failure.id.toHexString()),
      courseId,
      enrollmentId: failure.id.toHexString(),
      code: failure.code,
      message: failure.message,
    })),
    at,
  );
  if (plan.gradesHidden) {
    await stores.syncErrors.record(
      {
        scope: SYNC_SCOPES.course(courseId),
        courseId,
        code: GRADES_HIDDEN_BY_REPORT,
        message: gradesHiddenMessage(courseId),
      },
      at,
    );
  } else {
    await stores.syncErrors.resolve([SYNC_SCOPES.course(courseId)], at);
  }
}

function planWrites(plan: EnrollmentSyncPlan<ObjectId>, at: Date): EnrollmentSyncWrite[] {
  return [
    ...plan.updates,
    ...plan.failures
      .filter((failure) => failure.changed)
      .map((failure) => ({ id: failure.id, syncError: { code: failure.code, message: failure.message, at } })),
  ];
}

/**
 * Heartbeats through the whole course, Moodle waits included (a big
 * gradebook takes minutes), so a dead worker is noticed within the heartbeat
 * timeout; the SDK throttles the calls. `details` is read at each beat, and
 * `onBeat` runs with each (the course's hold is renewed at the same pace).
 */
function keepHeartbeating(details: object, heartbeatTimeoutMs: number, onBeat: () => void): () => void {
  const context = Context.current();
  const everyMs = Math.max(200, heartbeatTimeoutMs / 3);
  const beat = () => {
    context.heartbeat(details);
    onBeat();
  };
  beat();
  const timer = setInterval(beat, everyMs);
  return () => clearInterval(timer);
}
