import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../../../activities';
import type { CourseSyncCounts } from '../../../activities/course-sync';
import type { FinishSyncRunInput } from '../../../activities/sync-runs';
import type { CourseEnrollmentSyncResult, CourseFailureInput } from '../../../activities/enrollment-sync';
import {
  COURSE_SYNC_BUSY,
  FAILURE_TYPES,
  type CourseSyncBusyDetails,
  type SyncFailureDetails,
} from '../../../src/domain/sync-failure';
import { courseSyncWorkflow, enrollmentSyncWorkflow } from '../../../workflows';
import type { SyncTrigger } from '../../../src/domain/sync-run';
import type { EnrollmentSyncInput } from '../../../workflows/enrollment-sync';
import { SYNC_OUTCOME } from '../../../workflows/search-attributes';
import { testConfig, uniqueName, workflowBundlePath } from '../../support/environment';

/**
 * The workflow code (the bundle the worker ships) on the shared dev server,
 * with plain functions standing in for the activities: Temporal's way to test
 * orchestration alone. Every failure the fakes throw is non-retryable, so no
 * test waits for the Moodle retry policy's backoff.
 */

/** What the fake activities were asked, in order. */
interface Calls {
  finish: FinishSyncRunInput[];
  listCourses: { courseIds?: number[] }[];
  syncCourse: number[];
  /** The trigger each `syncCourseEnrollments` was given, in order. */
  syncCourseTriggers: (SyncTrigger | undefined)[];
  recordFailure: CourseFailureInput[];
  preflight: number;
  syncCourses: number;
}

/** A Moodle failure as activities/failures.ts builds it. */
function moodleFailure(type: string, details: SyncFailureDetails, message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true, details: [details] });
}

/** A course another run holds, as activities/course-lease.ts says it; `retryMs` makes it retryable that soon. */
function busyFailure(courseId: number, retryMs?: number): ApplicationFailure {
  const details: CourseSyncBusyDetails = { code: COURSE_SYNC_BUSY, courseId, heldBy: 'enrollment-sync-other' };
  return ApplicationFailure.create({
    message: `Course ${courseId} is being synced by enrollment-sync-other.`,
    type: FAILURE_TYPES.busy,
    nonRetryable: retryMs === undefined,
    nextRetryDelay: retryMs,
    details: [details],
  });
}

const COUNTS: CourseSyncCounts = {
  coursesSeen: 5,
  coursesNew: 2,
  coursesChanged: 1,
  coursesRestored: 0,
  coursesDeleted: 0,
  heldDeletions: 0,
  coursesUnchanged: 2,
  documentsWritten: 3,
};

/** One course's result: its enrollments counted from its id, so sums are checkable. */
function courseResult(courseId: number): CourseEnrollmentSyncResult {
  return {
    enrollments: courseId % 10,
    enrollmentsChanged: courseId % 10,
    enrollmentsUnchanged: 1,
    enrollmentsFailed: 0,
    gradesHidden: false,
    perStudent: false,
    moodleCalls: { core_course_get_contents: 1, gradereport_user_get_grade_items: 1 },
  };
}

interface Behaviour {
  syncCourses?: () => Promise<Awaited<ReturnType<Activities['syncCourses']>>>;
  preflight?: () => Promise<{ moodleCalls: Record<string, number> }>;
  courses?: number[];
  syncCourse?: (courseId: number) => Promise<CourseEnrollmentSyncResult>;
}

/** Typed as the real `Activities`, so a changed activity signature breaks this file at compile time. */
function fakeActivities(behaviour: Behaviour, calls: Calls): Activities {
  return {
    startSyncRun: async (run) => `${run.workflowId}/${run.runId}`,
    finishSyncRun: async (input) => {
      calls.finish.push(input);
    },
    syncCourses: async () => {
      calls.syncCourses += 1;
      return (
        behaviour.syncCourses ?? (async () => ({ counts: COUNTS, moodleCalls: { core_course_get_courses: 1 } }))
      )();
    },
    preflightEnrollmentSync: async () => {
      calls.preflight += 1;
      return (behaviour.preflight ?? (async () => ({ moodleCalls: { core_webservice_get_site_info: 1 } })))();
    },
    listCoursesToSync: async (input) => {
      calls.listCourses.push(input);
      return behaviour.courses ?? [];
    },
    syncCourseEnrollments: async ({ courseId, trigger }) => {
      calls.syncCourse.push(courseId);
      calls.syncCourseTriggers.push(trigger);
      return (behaviour.syncCourse ?? (async (id: number) => courseResult(id)))(courseId);
    },
    recordCourseFailure: async (input) => {
      calls.recordFailure.push(input);
    },
  };
}

describe('sync workflows with fake activities', () => {
  let env: TestWorkflowEnvironment;
  const taskQueue = uniqueName('workflow-unit');

  beforeAll(async () => {
    // Before anything creates the default runtime: the SDK's INFO logs would drown Jest's output.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const { temporal } = testConfig();
    env = await TestWorkflowEnvironment.createFromExistingServer({
      address: temporal.address,
      namespace: temporal.namespace,
    });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  /** Runs `scenario` while a worker with these fakes polls the file's task queue, then shuts it down. */
  async function withWorker<T>(
    behaviour: Behaviour,
    scenario: () => Promise<T>,
  ): Promise<{ outcome: T; calls: Calls }> {
    const calls: Calls = {
      finish: [],
      listCourses: [],
      syncCourse: [],
      syncCourseTriggers: [],
      recordFailure: [],
      preflight: 0,
      syncCourses: 0,
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue,
      workflowBundle: { codePath: workflowBundlePath() },
      activities: fakeActivities(behaviour, calls),
    });
    const outcome = await worker.runUntil(scenario);
    return { outcome, calls };
  }

  /** The workflow's failure, or a test failure if it succeeded. */
  async function failureOf(run: Promise<unknown>): Promise<WorkflowFailedError> {
    const error = await run.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    return error as WorkflowFailedError;
  }

  /** What the Temporal UI shows of a run: its `SyncOutcome` and the counts in its memo. */
  async function shownInUi(workflowId: string): Promise<{ outcome?: string; counts?: unknown }> {
    const { typedSearchAttributes, memo } = await env.client.workflow.getHandle(workflowId).describe();
    return { outcome: typedSearchAttributes.get(SYNC_OUTCOME), counts: memo?.counts };
  }

  const runCourseSync = (workflowId = uniqueName('course-sync')) =>
    env.client.workflow.execute(courseSyncWorkflow, { taskQueue, workflowId, args: [{ trigger: 'MANUAL' }] });
  const runEnrollmentSync = (input: EnrollmentSyncInput, workflowId = uniqueName('enrollment-sync')) =>
    env.client.workflow.execute(enrollmentSyncWorkflow, {
      taskQueue,
      workflowId,
      args: [{ trigger: 'MANUAL', ...input }],
    });

  describe('course sync', () => {
    it('finishes its run record with the activity’s counts and Moodle calls', async () => {
      const workflowId = uniqueName('course-sync');
      const { outcome, calls } = await withWorker({}, () => runCourseSync(workflowId));

      expect(outcome.counts).toEqual(COUNTS);
      expect(outcome.syncRunId).toMatch(new RegExp(`^${workflowId}/[0-9a-f-]{36}$`));
      expect(calls.finish).toEqual([
        {
          syncRunId: outcome.syncRunId,
          outcome: 'SUCCEEDED',
          counts: { ...COUNTS },
          moodleCalls: { core_course_get_courses: 1 },
          error: null,
        },
      ]);
      expect(await shownInUi(workflowId)).toEqual({ outcome: 'SUCCEEDED', counts: COUNTS });
    });

    it('is PARTIAL when deletions were held, in its run record and in the Temporal UI', async () => {
      const held = { ...COUNTS, heldDeletions: 3 };
      const workflowId = uniqueName('course-sync');
      const { calls } = await withWorker({ syncCourses: async () => ({ counts: held, moodleCalls: {} }) }, () =>
        runCourseSync(workflowId),
      );
      expect(calls.finish.map((finish) => finish.outcome)).toEqual(['PARTIAL']);
      expect(await shownInUi(workflowId)).toEqual({ outcome: 'PARTIAL', counts: held });
    });

    it('fails the run once with the activity’s code and message, keeping the calls it made', async () => {
      const message = 'Moodle rejects the token.';
      const behaviour: Behaviour = {
        syncCourses: async () => {
          throw moodleFailure(
            FAILURE_TYPES.permission,
            {
              code: 'MOODLE_INVALID_TOKEN',
              moodleKind: 'invalid-token',
              wsfunction: 'core_webservice_get_site_info',
              moodleCalls: { core_webservice_get_site_info: 1 },
            },
            message,
          );
        },
      };
      const workflowId = uniqueName('course-sync');
      const { outcome: failure, calls } = await withWorker(behaviour, () => failureOf(runCourseSync(workflowId)));

      expect(await shownInUi(workflowId)).toEqual({ outcome: 'FAILED', counts: {} });
      expect(failure.cause).toBeInstanceOf(ApplicationFailure);
      expect(failure.cause).toMatchObject({ message, type: FAILURE_TYPES.permission, nonRetryable: true });
      expect(calls.syncCourses).toBe(1);
      expect(calls.finish).toEqual([
        expect.objectContaining({
          outcome: 'FAILED',
          counts: {},
          moodleCalls: { core_webservice_get_site_info: 1 },
          error: { code: 'MOODLE_INVALID_TOKEN', message },
        }),
      ]);
    });
  });

  describe('enrollment sync', () => {
    const COURSES = [11, 12, 13, 14, 15, 16, 17];

    it('syncs each course once in child workflows of batchSize courses and sums their counts', async () => {
      const workflowId = uniqueName('enrollment-sync');
      const { outcome: result, calls } = await withWorker({ courses: COURSES }, async () => {
        const outcome = await runEnrollmentSync({ batchSize: 3, concurrency: 2, courseIds: COURSES }, workflowId);
        // 7 courses in batches of 3: children 1 to 3, and no fourth.
        const children = await Promise.all(
          [1, 2, 3].map((batch) => env.client.workflow.getHandle(`${workflowId}-batch-${batch}`).describe()),
        );
        expect(children.map((child) => [child.type, child.status.name])).toEqual(
          Array(3).fill(['enrollmentSyncBatchWorkflow', 'COMPLETED']),
        );
        await expect(env.client.workflow.getHandle(`${workflowId}-batch-4`).describe()).rejects.toThrow();
        return outcome;
      });

      expect([...calls.syncCourse].sort()).toEqual(COURSES);
      expect(calls.syncCourseTriggers).toEqual(COURSES.map(() => 'MANUAL'));
      expect(calls.listCourses).toEqual([{ courseIds: COURSES }]);
      const changed = COURSES.reduce((sum, id) => sum + (id % 10), 0);
      const expected = {
        syncRunId: expect.stringMatching(new RegExp(`^${workflowId}/`)),
        outcome: 'SUCCEEDED',
        counts: {
          coursesToSync: 7,
          coursesSynced: 7,
          coursesFailed: 0,
          coursesDenied: 0,
          coursesMissing: 0,
          coursesGradesHidden: 0,
          coursesPerStudent: 0,
          coursesBusy: 0,
          enrollmentsChanged: changed,
          enrollmentsUnchanged: 7,
          enrollmentsFailed: 0,
        },
        moodleCalls: {
          core_webservice_get_site_info: 1,
          core_course_get_contents: 7,
          gradereport_user_get_grade_items: 7,
        },
      };
      expect(result).toEqual(expected);
      expect(await shownInUi(workflowId)).toEqual({ outcome: 'SUCCEEDED', counts: expected.counts });
      expect(calls.finish).toEqual([
        {
          syncRunId: result.syncRunId,
          outcome: 'SUCCEEDED',
          counts: expected.counts,
          moodleCalls: expected.moodleCalls,
          error: null,
        },
      ]);
    });

    it('passes SCHEDULE down to each course when started without a trigger, as its schedule starts it', async () => {
      const { calls } = await withWorker({ courses: [21, 22] }, () =>
        env.client.workflow.execute(enrollmentSyncWorkflow, {
          taskQueue,
          workflowId: uniqueName('enrollment-sync'),
          args: [{ courseIds: [21, 22] }],
        }),
      );
      expect(calls.syncCourseTriggers).toEqual(['SCHEDULE', 'SCHEDULE']);
    });

    it('is PARTIAL when one course fails: the failure is recorded and the other courses still sync', async () => {
      const message = 'Course 13 no longer exists in Moodle.';
      const behaviour: Behaviour = {
        courses: [12, 13, 14],
        syncCourse: async (courseId) => {
          if (courseId !== 13) return courseResult(courseId);
          throw moodleFailure(
            FAILURE_TYPES.final,
            {
              code: 'MOODLE_COURSE_NOT_FOUND',
              moodleKind: 'course-not-found',
              wsfunction: 'core_course_get_contents',
              courseId,
              moodleCalls: { core_course_get_contents: 1 },
            },
            message,
          );
        },
      };
      const workflowId = uniqueName('enrollment-sync');
      const { outcome: result, calls } = await withWorker(behaviour, () =>
        runEnrollmentSync({ batchSize: 2 }, workflowId),
      );

      expect(result.outcome).toBe('PARTIAL');
      expect(await shownInUi(workflowId)).toEqual({ outcome: 'PARTIAL', counts: result.counts });
      expect(result.counts).toMatchObject({
        coursesToSync: 3,
        coursesSynced: 2,
        coursesFailed: 1,
        coursesMissing: 1,
        coursesDenied: 0,
        enrollmentsChanged: 2 + 4,
      });
      expect(result.moodleCalls).toEqual({
        core_webservice_get_site_info: 1,
        core_course_get_contents: 3,
        gradereport_user_get_grade_items: 2,
      });
      // The run's trigger reaches the course's record, of its failure as of its successes.
      expect(calls.recordFailure).toEqual([
        { courseId: 13, code: 'MOODLE_COURSE_NOT_FOUND', message, trigger: 'MANUAL' },
      ]);
      expect(calls.syncCourseTriggers).toEqual(['MANUAL', 'MANUAL', 'MANUAL']);
      // Non-retryable: tried once, and the run itself has no error.
      expect(calls.syncCourse.filter((id) => id === 13)).toHaveLength(1);
      expect(calls.finish).toEqual([expect.objectContaining({ outcome: 'PARTIAL', error: null })]);
    });

    const preflightDenied =
      'fails the run with the preflight’s code when the token may not call a function, reading no course';
    it(preflightDenied, async () => {
      const message = 'gradereport_user_get_grade_items is not allowed for the token’s service.';
      const behaviour: Behaviour = {
        courses: COURSES,
        preflight: async () => {
          throw moodleFailure(
            FAILURE_TYPES.permission,
            {
              code: 'MOODLE_FUNCTION_NOT_ALLOWED',
              moodleKind: 'function-not-allowed',
              wsfunction: 'core_webservice_get_site_info',
              moodleCalls: { core_webservice_get_site_info: 1 },
            },
            message,
          );
        },
      };
      const { outcome: failure, calls } = await withWorker(behaviour, () => failureOf(runEnrollmentSync({})));

      expect(failure.cause).toMatchObject({ message, type: FAILURE_TYPES.permission, nonRetryable: true });
      expect(calls.preflight).toBe(1);
      expect(calls.listCourses).toEqual([]);
      expect(calls.syncCourse).toEqual([]);
      expect(calls.finish).toEqual([
        expect.objectContaining({
          outcome: 'FAILED',
          moodleCalls: { core_webservice_get_site_info: 1 },
          error: { code: 'MOODLE_FUNCTION_NOT_ALLOWED', message },
        }),
      ]);
    });

    it('queues a course another sync holds, and syncs it once that one lets go', async () => {
      let busyTries = 0;
      const behaviour: Behaviour = {
        courses: [12, 13, 14],
        syncCourse: async (courseId) => {
          if (courseId === 13 && busyTries < 2) {
            busyTries += 1;
            throw busyFailure(courseId, 100);
          }
          return courseResult(courseId);
        },
      };
      const { outcome: result, calls } = await withWorker(behaviour, () => runEnrollmentSync({}));

      expect(result).toMatchObject({ outcome: 'SUCCEEDED', counts: { coursesSynced: 3, coursesBusy: 0 } });
      expect(calls.syncCourse.filter((id) => id === 13)).toHaveLength(3);
      expect(calls.recordFailure).toEqual([]);
    });

    it('leaves a course held through all its tries to the sync that holds it: counted busy, not failed', async () => {
      const behaviour: Behaviour = {
        courses: [12, 13, 14],
        syncCourse: async (courseId) => {
          if (courseId === 13) throw busyFailure(courseId);
          return courseResult(courseId);
        },
      };
      const workflowId = uniqueName('enrollment-sync');
      const { outcome: result, calls } = await withWorker(behaviour, () => runEnrollmentSync({}, workflowId));

      expect(result).toMatchObject({
        outcome: 'SUCCEEDED',
        counts: { coursesToSync: 3, coursesSynced: 2, coursesBusy: 1, coursesFailed: 0 },
      });
      // No sync error: the holder's outcome for the course is the one that counts, and it resolves its own.
      expect(calls.recordFailure).toEqual([]);
      expect(await shownInUi(workflowId)).toEqual({ outcome: 'SUCCEEDED', counts: result.counts });
    });

    it('stops at a refusal of the whole site: starts no other course or batch, and fails with its code', async () => {
      const message = 'Invalid token - token not found';
      const behaviour: Behaviour = {
        courses: COURSES,
        syncCourse: async (courseId) => {
          if (courseId < 13) return courseResult(courseId);
          throw moodleFailure(
            FAILURE_TYPES.permission,
            {
              code: 'MOODLE_INVALID_TOKEN',
              moodleKind: 'invalid-token',
              wsfunction: 'core_course_get_contents',
              courseId,
              moodleCalls: { core_course_get_contents: 1 },
            },
            message,
          );
        },
      };
      const workflowId = uniqueName('enrollment-sync');
      const { outcome: failure, calls } = await withWorker(behaviour, async () => {
        const failed = await failureOf(runEnrollmentSync({ batchSize: 3, concurrency: 1 }, workflowId));
        await expect(env.client.workflow.getHandle(`${workflowId}-batch-2`).describe()).rejects.toThrow();
        return failed;
      });

      expect(calls.syncCourse).toEqual([11, 12, 13]);
      expect(calls.recordFailure).toEqual([{ courseId: 13, code: 'MOODLE_INVALID_TOKEN', message, trigger: 'MANUAL' }]);
      const stopped = `${message} (stopped after 2 of 7 courses)`;
      expect(failure.cause).toMatchObject({ message: stopped, type: FAILURE_TYPES.permission, nonRetryable: true });
      expect(calls.finish).toEqual([
        expect.objectContaining({
          outcome: 'FAILED',
          counts: expect.objectContaining({ coursesToSync: 7, coursesSynced: 2, coursesDenied: 1 }),
          error: { code: 'MOODLE_INVALID_TOKEN', message: stopped },
        }),
      ]);
      expect(await shownInUi(workflowId)).toMatchObject({ outcome: 'FAILED' });
    });

    it('fails the run when Moodle refuses every course', async () => {
      const behaviour: Behaviour = {
        courses: [21, 22],
        syncCourse: async (courseId) => {
          throw moodleFailure(
            FAILURE_TYPES.permission,
            {
              code: 'MOODLE_COURSE_INACCESSIBLE',
              moodleKind: 'course-inaccessible',
              wsfunction: 'core_course_get_contents',
              courseId,
            },
            `Not enrolled in course ${courseId}.`,
          );
        },
      };
      const { outcome: failure, calls } = await withWorker(behaviour, () => failureOf(runEnrollmentSync({})));

      expect(failure.cause?.message).toMatch(
        /^Moodle refused access to every course \(2\): Not enrolled in course 2[12]\.$/,
      );
      expect(calls.recordFailure.map((failed) => failed.courseId).sort()).toEqual([21, 22]);
      expect(calls.finish).toEqual([
        expect.objectContaining({
          outcome: 'FAILED',
          counts: expect.objectContaining({ coursesToSync: 2, coursesFailed: 2, coursesDenied: 2 }),
          error: { code: 'MOODLE_COURSE_INACCESSIBLE', message: failure.cause?.message },
        }),
      ]);
    });
  });
});
