import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, type Activities } from '../../../activities';
import { SYNC_SCOPES } from '../../../src/domain/sync-scopes';
import { FAILURE_TYPES } from '../../../src/domain/sync-failure';
import { createMoodleClient, type MoodleClient } from '../../../src/moodle';
import { generateSite, startMoodleSimulator, type MoodleSimulator } from '../../../src/moodle-sim';
import { Secret } from '../../../src/secret';
import type { Stores } from '../../../src/store';
import type { Database } from '../../../src/store/mongo';
import { openTestStores } from '../../support/environment';
import { expectedProgress } from '../../support/expected-progress';
import { DEFAULT_MOODLE_CLIENT_SETTINGS } from '../../support/moodle-defaults';
import { studentOf } from '../../support/students';

/**
 * The sync activities run outside any worker, in Temporal's mock activity
 * context, on a real database and a real Moodle client talking to the
 * in-process simulator: what they write and how they fail, in milliseconds.
 */
const TOKEN = 'ac71417eac71417eac71417eac71417e';

describe('sync activities in MockActivityEnvironment', () => {
  let database: Database;
  let stores: Stores;
  let sim: MoodleSimulator;
  let moodle: MoodleClient;
  let activities: Activities;
  /** Live Moodle courses (front page excluded), in id order. */
  let courseIds: number[];

  /** Quiet: failures are expected here. */
  const environment = (info: ConstructorParameters<typeof MockActivityEnvironment>[0] = {}) =>
    new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });

  /** `MockActivityEnvironment.run` infers its types from the arguments alone; this keeps the activity's own. */
  const runIn = <A extends unknown[], R>(
    env: MockActivityEnvironment,
    activity: (...args: A) => Promise<R>,
    ...args: A
  ): Promise<R> => env.run<A, R, typeof activity>(activity, ...args);

  /** In a fresh environment each time: a cancelled context would stay cancelled. */
  const run = <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    runIn(environment(), activity, ...args);

  /** The error an activity throws (the activities throw, never resolve, in these cases). */
  async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
    const error = await run.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    return error as ApplicationFailure;
  }

  beforeAll(async () => {
    ({ database, stores } = await openTestStores());
    sim = await startMoodleSimulator({
      site: generateSite({ seed: 'activity-tests', courses: 4, studentsPerCourse: 3, activitiesPerCourse: 4 }),
      token: TOKEN,
    });
    moodle = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: sim.url,
      token: new Secret(TOKEN),
      timeoutMs: 2_000,
    });
    activities = createActivities({ stores, moodle, now: () => new Date(), deletionGuardRatio: 0.5 });
    courseIds = sim.site
      .courses()
      .filter((course) => course.format !== 'site')
      .map((course) => course.id);
  });

  afterAll(async () => {
    await moodle?.close();
    await sim?.close();
    await database?.close();
  });

  afterEach(() => {
    sim.faults.reset();
    sim.site.restoreToken();
  });

  describe('syncCourses', () => {
    it('stores every Moodle course as NEW in two calls, then writes nothing when nothing changed', async () => {
      const first = await run(activities.syncCourses);

      const n = courseIds.length;
      expect(first).toEqual({
        counts: {
          coursesSeen: n,
          coursesNew: n,
          coursesChanged: 0,
          coursesRestored: 0,
          coursesDeleted: 0,
          heldDeletions: 0,
          coursesUnchanged: 0,
          documentsWritten: n,
        },
        moodleCalls: { core_webservice_get_site_info: 1, core_course_get_courses: 1 },
      });
      const stored = await stores.courses.collection.find({}).sort({ _id: 1 }).toArray();
      expect(stored.map((course) => [course._id, course.state, course.deleted])).toEqual(
        courseIds.map((id) => [id, 'NEW', false]),
      );

      const second = await run(activities.syncCourses);
      expect(second.counts).toMatchObject({
        coursesSeen: n,
        coursesNew: 0,
        coursesChanged: 0,
        coursesUnchanged: n,
        documentsWritten: 0,
      });
      // "Writes nothing" means no document was touched, not only that the counts say so.
      const after = await stores.courses.collection.find({}).sort({ _id: 1 }).toArray();
      expect(after.map((course) => course.updatedAt)).toEqual(stored.map((course) => course.updatedAt));
    });

    it('turns a revoked token into a non-retryable permission failure with a code, without the token, changing nothing', async () => {
      const before = await stores.courses.collection.find({}).sort({ _id: 1 }).toArray();
      sim.site.revokeToken();

      const failure = await failureOf(run(activities.syncCourses));

      expect(failure.type).toBe(FAILURE_TYPES.permission);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.details).toEqual([
        expect.objectContaining({
          code: 'MOODLE_INVALID_TOKEN',
          moodleKind: 'invalid-token',
          wsfunction: 'core_webservice_get_site_info',
          moodleCalls: { core_webservice_get_site_info: 1 },
        }),
      ]);
      // What Temporal records is the message, the type and the details: none may carry the token.
      expect(`${failure.message} ${JSON.stringify(failure.details)} ${failure.stack ?? ''}`).not.toContain(TOKEN);
      expect(await stores.courses.collection.find({}).sort({ _id: 1 }).toArray()).toEqual(before);
    });

    it('turns Moodle 5xx pages into a retryable transient failure', async () => {
      sim.faults.set({ serverErrorRate: 1 });

      const failure = await failureOf(run(activities.syncCourses));

      expect(failure.type).toBe(FAILURE_TYPES.transient);
      expect(failure.nonRetryable).toBe(false);
      expect(failure.details?.[0]).toMatchObject({ code: 'MOODLE_SERVER_ERROR', moodleKind: 'server-error' });
    });
  });

  describe('enrollment sync of one course', () => {
    let courseId: number;

    beforeAll(async () => {
      // Every Moodle student of the first course is followed by the SMS.
      courseId = courseIds[0]!;
      const now = new Date();
      for (const user of sim.site.students(courseId)) {
        const student = await stores.students.create(studentOf(user), now);
        await stores.enrollments.create({ courseId, studentId: student._id, moodleUserId: user.id }, now);
      }
    });

    it('lists only courses with enrollments', async () => {
      expect(await run(activities.listCoursesToSync, {})).toEqual([courseId]);
      expect(await run(activities.listCoursesToSync, { courseIds: [courseIds[1]!] })).toEqual([]);
    });

    it('writes each enrollment’s grade as the gradebook computes it, resolves the course’s old error, and heartbeats', async () => {
      await run(activities.recordCourseFailure, { courseId, code: 'MOODLE_SERVER_ERROR', message: 'was down' });
      expect((await stores.syncErrors.open(SYNC_SCOPES.course(courseId))).map((error) => error.code)).toEqual([
        'MOODLE_SERVER_ERROR',
      ]);
      const env = environment({ heartbeatTimeoutMs: 600 });
      const beats: unknown[] = [];
      // Copied on receipt: the activity keeps mutating the object it heartbeats.
      env.on('heartbeat', (details: unknown) => beats.push(structuredClone(details)));

      const result = await runIn(env, activities.syncCourseEnrollments, { courseId });

      const enrollments = await stores.enrollments.collection.find({ courseId }).toArray();
      const students = sim.site.students(courseId).length;
      expect(students).toBeGreaterThan(0);
      expect(enrollments).toHaveLength(students);
      expect(result).toEqual({
        enrollments: students,
        enrollmentsChanged: students,
        enrollmentsUnchanged: 0,
        enrollmentsFailed: 0,
        gradesHidden: false,
        perStudent: false,
        moodleCalls: { core_course_get_contents: 1, gradereport_user_get_grade_items: 1 },
      });
      for (const enrollment of enrollments) {
        const total = sim.site.gradebook(courseId).courseTotal(enrollment.moodleUserId);
        expect(enrollment.grade).toMatchObject({ raw: total.value, min: total.grademin, max: total.grademax });
        expect(enrollment.progress).toEqual(expectedProgress(sim.site, courseId, enrollment.moodleUserId));
        expect(enrollment.syncError).toBeNull();
        expect(enrollment.lastSyncedAt).toBeInstanceOf(Date);
      }
      expect(await stores.syncErrors.open(SYNC_SCOPES.course(courseId))).toEqual([]);

      expect(beats[0]).toEqual({ courseId, phase: 'download', batchesWritten: 0 });
      // The heartbeat timer stops with the activity (a leaked interval would beat forever and keep Jest alive).
      const count = beats.length;
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(beats).toHaveLength(count);
    });

    it('writes nothing when the gradebook did not change', async () => {
      const before = await stores.enrollments.collection.find({ courseId }).sort({ _id: 1 }).toArray();

      const result = await run(activities.syncCourseEnrollments, { courseId });

      expect(result).toMatchObject({ enrollmentsChanged: 0, enrollmentsUnchanged: before.length });
      expect(await stores.enrollments.collection.find({ courseId }).sort({ _id: 1 }).toArray()).toEqual(before);
    });

    it('records each try on the course: its time and trigger, and, on success only, the sync time', async () => {
      const course = async () => (await stores.courses.get(courseId))!;
      const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

      await run(activities.syncCourseEnrollments, { courseId, trigger: 'MOODLE_EVENT' });
      const synced = await course();
      expect(synced.enrollmentsSyncedAt).toBeInstanceOf(Date);
      // One write: the success is the last try.
      expect(synced.enrollmentsSyncAttemptedAt).toEqual(synced.enrollmentsSyncedAt);
      expect(synced.enrollmentsSyncTrigger).toBe('MOODLE_EVENT');

      await tick();
      await run(activities.recordCourseFailure, {
        courseId,
        code: 'MOODLE_SERVER_ERROR',
        message: 'was down',
        trigger: 'MANUAL',
      });
      const failed = await course();
      expect(failed.enrollmentsSyncedAt).toEqual(synced.enrollmentsSyncedAt);
      expect(failed.enrollmentsSyncAttemptedAt!.getTime()).toBeGreaterThan(synced.enrollmentsSyncedAt!.getTime());
      expect(failed.enrollmentsSyncTrigger).toBe('MANUAL');

      // Inputs recorded before triggers were passed (workflow histories) are the schedule's.
      await tick();
      await run(activities.recordCourseFailure, { courseId, code: 'MOODLE_SERVER_ERROR', message: 'was down' });
      expect((await course()).enrollmentsSyncTrigger).toBe('SCHEDULE');
      await tick();
      await run(activities.syncCourseEnrollments, { courseId });
      const again = await course();
      expect(again.enrollmentsSyncTrigger).toBe('SCHEDULE');
      expect(again.enrollmentsSyncedAt!.getTime()).toBeGreaterThan(failed.enrollmentsSyncAttemptedAt!.getTime());
      expect(again.enrollmentsSyncAttemptedAt).toEqual(again.enrollmentsSyncedAt);
      // The success resolved the failures' error.
      expect(await stores.syncErrors.open(SYNC_SCOPES.course(courseId))).toEqual([]);
    });

    it('fails a course Moodle refuses without retries, naming the course, and writes nothing', async () => {
      const before = await stores.enrollments.collection.find({ courseId }).sort({ _id: 1 }).toArray();
      sim.site.denyCourseAccess(courseId);
      try {
        const failure = await failureOf(run(activities.syncCourseEnrollments, { courseId }));

        expect(failure.type).toBe(FAILURE_TYPES.permission);
        expect(failure.nonRetryable).toBe(true);
        expect(failure.details?.[0]).toMatchObject({
          code: 'MOODLE_COURSE_INACCESSIBLE',
          moodleKind: 'course-inaccessible',
          courseId,
        });
        expect(`${failure.message} ${JSON.stringify(failure.details)}`).not.toContain(TOKEN);
        expect(await stores.enrollments.collection.find({ courseId }).sort({ _id: 1 }).toArray()).toEqual(before);
      } finally {
        sim.site.allowCourseAccess(courseId);
      }
    });
  });

  describe('sync run records', () => {
    it('records a failed run’s error under the run’s scope, and a later success resolves it', async () => {
      const start = (runId: string) =>
        run(activities.startSyncRun, { kind: 'COURSE', workflowId: 'course-sync-test', runId, trigger: 'MANUAL' });
      const failed = await start('run-1');
      expect(failed).toBe('course-sync-test/run-1');
      const error = { code: 'MOODLE_INVALID_TOKEN', message: 'token rejected' };
      await run(activities.finishSyncRun, {
        syncRunId: failed,
        outcome: 'FAILED',
        counts: {},
        moodleCalls: { a: 1 },
        error,
      });

      expect(await stores.syncRuns.get(failed)).toEqual({
        _id: failed,
        kind: 'COURSE',
        workflowId: 'course-sync-test',
        runId: 'run-1',
        trigger: 'MANUAL',
        outcome: 'FAILED',
        counts: {},
        error,
        moodleCalls: { a: 1 },
        startedAt: expect.any(Date),
        finishedAt: expect.any(Date),
      });
      expect(
        (await stores.syncErrors.open(SYNC_SCOPES.run.COURSE)).map(({ code, message }) => ({ code, message })),
      ).toEqual([error]);

      const succeeded = await start('run-2');
      await run(activities.finishSyncRun, {
        syncRunId: succeeded,
        outcome: 'SUCCEEDED',
        counts: { coursesSeen: 4 },
        moodleCalls: {},
        error: null,
      });
      expect(await stores.syncErrors.open(SYNC_SCOPES.run.COURSE)).toEqual([]);
    });

    it('refuses to finish a run that was never started', async () => {
      await expect(
        run(activities.finishSyncRun, {
          syncRunId: 'nope/none',
          outcome: 'SUCCEEDED',
          counts: {},
          moodleCalls: {},
          error: null,
        }),
      ).rejects.toThrow('sync run nope/none was never started');
    });
  });
});
