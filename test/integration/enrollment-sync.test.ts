import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { ObjectId } from 'mongodb';
import { createActivities } from '../../activities';
import { MOODLE_FUNCTIONS, type MoodleClient } from '../../src/moodle';
import { SYNC_SCOPES } from '../../src/domain/sync-scopes';
import { generateSite, type MoodleSimulator } from '../../src/moodle-sim';
import type { Stores } from '../../src/store';
import type { EnrollmentDocument } from '../../src/store/enrollments';
import { readSyncStatus } from '../../src/use-cases/sync-status';
import { startEnrollmentSync } from '../../src/temporal/client';
import { createWorker } from '../../src/temporal/worker';
import { enrollmentSyncWorkflow } from '../../workflows';
import type { EnrollmentSyncInput, EnrollmentSyncResult } from '../../workflows/enrollment-sync';
import { expectedProgress } from '../support/expected-progress';
import { uniqueName, workflowBundlePath, type TestTemporal } from '../support/environment';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness';
import { studentOf } from '../support/students';
import { loadConfig } from '../../src/config';

const TOKEN = 'e11e0000e11e0000e11e0000e11e0000';
const COURSES = 8;
/** Small batches so that even this small site fans out to several child workflows. */
const TUNING: EnrollmentSyncInput = { concurrency: 3, batchSize: 3, heartbeatTimeoutMs: 2_000 };

/** How old a per-student course's gradebook count may grow before it is read whole again. */
const RECOUNT_EVERY_MS = 3_600_000;

describe('enrollment sync on the real Temporal dev server, FerretDB and the Moodle simulator', () => {
  let harness: SyncHarness;
  let temporal: TestTemporal;
  let stores: Stores;
  let sim: MoodleSimulator;
  let moodle: MoodleClient;
  /** Every course has all its Moodle students enrolled in the SMS, except this one: one student only. */
  let fewStudentsCourse: number;
  let courseIds: number[];

  beforeAll(async () => {
    harness = await startSyncHarness({
      site: generateSite({ seed: 'enrollment-sync', courses: COURSES, studentsPerCourse: 6, activitiesPerCourse: 6 }),
      token: TOKEN,
      // A course followed for at most half of its gradebook's users is read per student; whole again hourly.
      activities: { perStudent: { ratio: 0.5, max: 3, recountEveryMs: RECOUNT_EVERY_MS } },
    });
    ({ temporal, stores, sim, moodle } = harness);
    await harness.runCourseSync();
    courseIds = sim.site
      .courses()
      .filter((course) => course.format !== 'site')
      .map((course) => course.id);
    fewStudentsCourse = courseIds[courseIds.length - 1]!;
    const now = new Date();
    const studentIds = new Map<number, ObjectId>();
    for (const courseId of courseIds) {
      const moodleStudents = sim.site.students(courseId);
      for (const user of courseId === fewStudentsCourse ? moodleStudents.slice(0, 1) : moodleStudents) {
        let studentId = studentIds.get(user.id);
        if (studentId === undefined) {
          const student = await stores.students.create(studentOf(user), now);
          studentIds.set(user.id, (studentId = student._id));
        }
        await stores.enrollments.create({ courseId, studentId, moodleUserId: user.id }, now);
      }
    }
  });

  afterAll(async () => {
    await harness?.close();
  });

  const runEnrollmentSync = (input: EnrollmentSyncInput = {}, workflowId?: string) =>
    harness.runEnrollmentSync({ ...TUNING, ...input }, workflowId);

  const enrollmentsById = async () =>
    new Map(
      (await stores.enrollments.collection.find({}).toArray()).map((enrollment) => [
        enrollment._id.toHexString(),
        enrollment,
      ]),
    );

  async function expectSyncedFromModel(enrollment: EnrollmentDocument): Promise<void> {
    const { courseId, moodleUserId } = enrollment;
    const rows = sim.site.gradebook(courseId).userReport(moodleUserId).rows;
    const courseTotal = rows.find((row) => row.item.itemtype === 'course')!;
    expect(enrollment.progress).toEqual(expectedProgress(sim.site, courseId, moodleUserId));
    expect(enrollment.grade).toMatchObject({
      raw: courseTotal.value,
      min: courseTotal.grademin,
      max: courseTotal.grademax,
    });
    const [reportCard] = await stores.reportCards.ofEnrollments([enrollment._id.toHexString()]);
    expect(reportCard?.lines.map((line) => [line.gradeItemId, line.raw])).toEqual(
      rows.map((row) => [row.item.id, row.value]),
    );
    expect(reportCard?.courseId).toBe(courseId);
    expect(enrollment.syncError).toBeNull();
    expect(enrollment.lastSyncedAt).toBeInstanceOf(Date);
  }

  const enrollmentsOf = async (courseId: number) => stores.enrollments.collection.find({ courseId }).toArray();

  /** A graded activity of the course, visible when the course has one. */
  function gradedModule(courseId: number) {
    const graded = sim.site
      .modules(courseId)
      .filter((module) => sim.site.gradebook(courseId).itemsOfModule(module.id).length > 0);
    return graded.find((module) => module.visible && module.visibleoncoursepage) ?? graded[0]!;
  }

  /** Gives the student another grade in a graded activity, as a teacher would. */
  function regrade(courseId: number, userId: number): void {
    const module = gradedModule(courseId);
    const item = sim.site
      .gradebook(courseId)
      .itemsOfModule(module.id)
      .find((candidate) => candidate.itemnumber === 0)!;
    const current = sim.site.gradeOf(courseId, userId, module.id);
    sim.site.grade(courseId, userId, module.id, current === item.grademax ? item.grademin : item.grademax);
  }

  it(
    'stores progress, grade and report card of every enrollment as the simulator computes them, ' +
      'in ≤ 2 calls per course',
    async () => {
      const callsBefore = sim.calls.byFunction();
      const workflowId = uniqueName('enrollment-sync-full');
      const result = await runEnrollmentSync({}, workflowId);

      const stored = [...(await enrollmentsById()).values()];
      // Every active Moodle student of each course (one only in the sparsely followed course).
      const expectedCount = courseIds.reduce(
        (sum, id) => sum + (id === fewStudentsCourse ? 1 : sim.site.students(id).length),
        0,
      );
      expect(stored).toHaveLength(expectedCount);
      for (const enrollment of stored) await expectSyncedFromModel(enrollment);
      expect(result).toMatchObject({
        outcome: 'SUCCEEDED',
        counts: {
          coursesToSync: COURSES,
          coursesSynced: COURSES,
          coursesFailed: 0,
          enrollmentsChanged: stored.length,
          enrollmentsFailed: 0,
        },
      });

      const expectedCalls = {
        core_webservice_get_site_info: 1,
        core_course_get_contents: COURSES,
        gradereport_user_get_grade_items: COURSES,
      };
      expect(result.moodleCalls).toEqual(expectedCalls);
      expect(callsDelta(callsBefore)).toEqual(expectedCalls);
      expect(await stores.syncRuns.get(result.syncRunId)).toMatchObject({
        kind: 'ENROLLMENT',
        outcome: 'SUCCEEDED',
        moodleCalls: expectedCalls,
      });

      // Fan-out: 8 courses in batches of 3 are three children; every history stays small.
      const parentEvents = (await temporal.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const childEvents = await Promise.all(
        [1, 2, 3].map(async (batch) => {
          const history = await temporal.client.workflow.getHandle(`${workflowId}-batch-${batch}`).fetchHistory();
          return history.events?.length ?? 0;
        }),
      );
      expect(parentEvents.length).toBeLessThan(100);
      // About 6 events a course plus a fixed few: 200-course children stay near 1,300.
      for (const events of childEvents) expect(events).toBeLessThanOrEqual(3 * 8 + 10);
    },
  );

  it('writes no enrollment when nothing changed, and reads the sparsely followed course per student', async () => {
    const before = await enrollmentsById();
    const callsBefore = sim.calls.byFunction();
    const result = await runEnrollmentSync();

    expect(result.counts).toMatchObject({
      enrollmentsChanged: 0,
      enrollmentsUnchanged: before.size,
      coursesPerStudent: 1,
    });
    for (const [id, enrollment] of await enrollmentsById())
      expect(enrollment.updatedAt).toEqual(before.get(id)?.updatedAt);
    // The per-student course has one SMS enrollment: still one grade call.
    expect(callsDelta(callsBefore)).toEqual({
      core_webservice_get_site_info: 1,
      core_course_get_contents: COURSES,
      gradereport_user_get_grade_items: COURSES,
    });
  });

  it('notices a student who left a course read per student once its count is old, and reads it whole then', async () => {
    const [enrollment] = await enrollmentsOf(fewStudentsCourse);
    const { moodleUserId } = enrollment!;
    sim.site.unenrol(fewStudentsCourse, moodleUserId);
    try {
      // Moodle still answers the leaver's own report: read per student, nothing looks wrong.
      const unnoticed = await runEnrollmentSync();
      expect(unnoticed.counts).toMatchObject({ coursesPerStudent: 1, enrollmentsFailed: 0 });

      // The count is now as old as the recount interval: the course is read whole, which lists who is still in it.
      const countedAt = new Date(Date.now() - RECOUNT_EVERY_MS);
      await stores.courses.collection.updateOne(
        { _id: fewStudentsCourse },
        { $set: { gradebookCountedAt: countedAt } },
      );
      const startedAt = new Date();
      const recounted = await runEnrollmentSync();
      expect(recounted.counts).toMatchObject({ coursesPerStudent: 0, enrollmentsFailed: 1 });
      const [left] = await enrollmentsOf(fewStudentsCourse);
      expect(left?.syncError).toMatchObject({ code: 'STUDENT_NOT_IN_GRADEBOOK' });
      const course = await stores.courses.get(fewStudentsCourse);
      expect(course?.gradebookUsers).toBe(sim.site.students(fewStudentsCourse).length);
      expect(course?.gradebookCountedAt?.getTime()).toBeGreaterThanOrEqual(startedAt.getTime());
    } finally {
      sim.site.enrol(fewStudentsCourse, moodleUserId, 'student');
    }
    const back = await runEnrollmentSync();
    expect(back.counts).toMatchObject({ coursesPerStudent: 1, enrollmentsFailed: 0 });
  });

  it('brings a regrade to exactly that enrollment at the next run', async () => {
    const [target] = await enrollmentsOf(courseIds[0]!);
    regrade(target!.courseId, target!.moodleUserId);
    const before = await enrollmentsById();

    const result = await runEnrollmentSync();

    expect(result.counts).toMatchObject({ enrollmentsChanged: 1, enrollmentsUnchanged: before.size - 1 });
    const after = await enrollmentsById();
    const changed = [...after.values()].filter(
      (enrollment) => enrollment.updatedAt.getTime() !== before.get(enrollment._id.toHexString())?.updatedAt.getTime(),
    );
    expect(changed.map((enrollment) => enrollment._id)).toEqual([target!._id]);
    await expectSyncedFromModel(changed[0]!);
  });

  it('changes the denominator of every enrollment of a course when an activity is hidden', async () => {
    const courseId = courseIds[1]!;
    const module = gradedModule(courseId);
    expect(module.visible && module.visibleoncoursepage).toBe(true);
    const before = await enrollmentsOf(courseId);
    sim.site.setActivityVisible(courseId, module.id, false);

    const result = await runEnrollmentSync();

    const after = await enrollmentsOf(courseId);
    expect(result.counts.enrollmentsChanged).toBe(after.length);
    for (const enrollment of after) {
      const previous = before.find((candidate) => candidate._id.equals(enrollment._id));
      expect(enrollment.progress?.total).toBe(previous!.progress!.total - 1);
      await expectSyncedFromModel(enrollment);
    }
  });

  it(
    'reports a student missing from the Moodle gradebook on that enrollment only, ' + 'and clears it once back',
    async () => {
      const courseId = courseIds[2]!;
      const [missing, ...others] = await enrollmentsOf(courseId);
      sim.site.unenrol(courseId, missing!.moodleUserId);
      regrade(courseId, others[0]!.moodleUserId);

      const result = await runEnrollmentSync();

      expect(result).toMatchObject({
        outcome: 'PARTIAL',
        counts: { enrollmentsFailed: 1, coursesFailed: 0, enrollmentsChanged: 1 },
      });
      const failed = await stores.enrollments.get(missing!._id.toHexString());
      expect(failed?.syncError).toMatchObject({ code: 'STUDENT_NOT_IN_GRADEBOOK' });
      expect(failed?.progress).toEqual(missing!.progress);
      const [open] = await stores.syncErrors.open(SYNC_SCOPES.enrollment(missing!._id.toHexString()));
      expect(open).toMatchObject({
        code: 'STUDENT_NOT_IN_GRADEBOOK',
        courseId,
        enrollmentId: missing!._id.toHexString(),
      });
      await expectSyncedFromModel((await stores.enrollments.get(others[0]!._id.toHexString()))!);
      expect((await readSyncStatus(stores, new Date(), loadConfig({}).sync)).state.status).toBe('DEGRADED');

      sim.site.enrol(courseId, missing!.moodleUserId, 'student');
      const recovery = await runEnrollmentSync();
      expect(recovery.outcome).toBe('SUCCEEDED');
      await expectSyncedFromModel((await stores.enrollments.get(missing!._id.toHexString()))!);
      expect(await stores.syncErrors.open(SYNC_SCOPES.enrollment(missing!._id.toHexString()))).toEqual([]);
      expect((await readSyncStatus(stores, new Date(), loadConfig({}).sync)).state.status).toBe('HEALTHY');
    },
  );

  it('fails a course whose access is revoked alone, without retrying, and a one-course replay clears it', async () => {
    const denied = courseIds[3]!;
    sim.site.denyCourseAccess(denied);
    for (const courseId of courseIds) regrade(courseId, (await enrollmentsOf(courseId))[0]!.moodleUserId);
    const callsBefore = sim.calls.byFunction();

    const result = await runEnrollmentSync();

    expect(result).toMatchObject({
      outcome: 'PARTIAL',
      counts: { coursesSynced: COURSES - 1, coursesFailed: 1, coursesDenied: 1, enrollmentsChanged: COURSES - 1 },
    });
    // One attempt only: a permission problem is not retried. The refused course stops at its contents,
    // which a whole gradebook read asks for first.
    expect(callsDelta(callsBefore)).toMatchObject({
      core_course_get_contents: COURSES,
      gradereport_user_get_grade_items: COURSES - 1,
    });
    const [open] = await stores.syncErrors.open(SYNC_SCOPES.course(denied));
    expect(open).toMatchObject({ code: 'MOODLE_COURSE_INACCESSIBLE', courseId: denied });
    expect(open?.message).not.toContain(TOKEN);
    for (const courseId of courseIds.filter((id) => id !== denied)) {
      for (const enrollment of await enrollmentsOf(courseId)) await expectSyncedFromModel(enrollment);
    }

    sim.site.allowCourseAccess(denied);
    const started = await startEnrollmentSync(temporal.client, temporal.taskQueue, {
      trigger: 'REPLAY',
      courseIds: [denied],
      ...TUNING,
    });
    expect(started.workflowId).toBe(`enrollment-sync-course-${denied}`);
    const replay: EnrollmentSyncResult = await temporal.client.workflow.getHandle(started.workflowId).result();
    expect(replay.counts).toMatchObject({ coursesToSync: 1, coursesSynced: 1, enrollmentsChanged: 1 });
    expect(await stores.syncErrors.open(SYNC_SCOPES.course(denied))).toEqual([]);
  });

  it('fails the whole run, and the connection, when Moodle refuses every course', async () => {
    sim.site.removeCapability('moodle/grade:viewall');
    const failure = await runEnrollmentSync().catch((error: unknown) => error);
    sim.site.addCapability('moodle/grade:viewall');

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const run = await stores.syncRuns.latest('ENROLLMENT');
    expect(run).toMatchObject({
      outcome: 'FAILED',
      error: { code: 'MOODLE_MISSING_CAPABILITY' },
      counts: { coursesDenied: COURSES },
    });
    const { state } = await readSyncStatus(stores, new Date(), loadConfig({}).sync);
    expect(state).toMatchObject({ status: 'FAILING', cause: 'MISSING_CAPABILITY' });
    expect(state.message).toMatch(/capability/);

    const recovery = await runEnrollmentSync();
    expect(recovery.outcome).toBe('SUCCEEDED');
    expect(await stores.syncErrors.open()).toEqual([]);
  });

  it('keeps the enrollments and last grades of a course deleted in Moodle in the middle of a run', async () => {
    const courseId = courseIds[4]!;
    const before = await enrollmentsOf(courseId);
    // Deleted between the course list and its gradebook download: its contents were read, its grades are gone.
    const stopListening = sim.onCall((call) => {
      if (call.wsfunction === MOODLE_FUNCTIONS.gradeItems && call.courseId === courseId) {
        sim.site.deleteCourse(courseId);
      }
    });

    // Not yet marked deleted by the course sync: recorded and skipped.
    const skipped = await runEnrollmentSync().finally(stopListening);
    expect(sim.site.isCourseDeleted(courseId)).toBe(true);
    expect(skipped).toMatchObject({
      outcome: 'PARTIAL',
      counts: { coursesMissing: 1, coursesFailed: 1, coursesSynced: COURSES - 1 },
    });
    expect((await stores.syncErrors.open(SYNC_SCOPES.course(courseId)))[0]?.code).toBe('MOODLE_COURSE_NOT_FOUND');
    expect(await enrollmentsOf(courseId)).toEqual(before);

    await harness.runCourseSync();
    const after = await runEnrollmentSync();
    expect(after).toMatchObject({ outcome: 'SUCCEEDED', counts: { coursesToSync: COURSES - 1 } });
    expect(await enrollmentsOf(courseId)).toEqual(before);
    expect(await stores.syncErrors.open(SYNC_SCOPES.course(courseId))).toEqual([]);
  });

  it('finishes a sync whose worker was killed mid-way on a new worker, losing and duplicating nothing', async () => {
    const taskQueue = uniqueName('killed-worker');
    const live = courseIds.filter((id) => !sim.site.isCourseDeleted(id));
    for (const courseId of live) {
      for (const enrollment of await enrollmentsOf(courseId)) regrade(courseId, enrollment.moodleUserId);
    }
    const enrollmentCount = await stores.enrollments.collection.countDocuments();
    const liveCount = await stores.enrollments.collection.countDocuments({ courseId: { $in: live } });
    const errorCount = await stores.syncErrors.collection.countDocuments();
    sim.faults.set({ latencyMs: 600 });
    const first = await startWorkerProcess(taskQueue);
    try {
      const startedAt = new Date();
      const workflowId = uniqueName('enrollment-sync-killed');
      const handle = await temporal.client.workflow.start(enrollmentSyncWorkflow, {
        taskQueue,
        workflowId,
        args: [{ trigger: 'MANUAL', concurrency: 2, batchSize: 4, heartbeatTimeoutMs: 1_500 }],
      });
      // Kill once some courses are written and others are not.
      await waitFor(
        async () => (await stores.enrollments.collection.countDocuments({ updatedAt: { $gt: startedAt } })) > 0,
      );
      const written = await stores.enrollments.collection.countDocuments({ updatedAt: { $gt: startedAt } });
      first.kill('SIGKILL');
      expect(written).toBeLessThan(liveCount);

      sim.faults.set({ latencyMs: 0 });
      const second = await createWorker({
        connection: temporal.connection,
        namespace: temporal.namespace,
        taskQueue,
        activities: createActivities({ stores, moodle, now: () => new Date(), deletionGuardRatio: 0.5 }),
        workflowBundlePath: workflowBundlePath(),
      });
      const result = await second.runUntil(handle.result());

      expect(result).toMatchObject({ outcome: 'SUCCEEDED', counts: { coursesSynced: live.length, coursesFailed: 0 } });
      expect(await stores.enrollments.collection.countDocuments()).toBe(enrollmentCount);
      expect(await stores.syncErrors.collection.countDocuments()).toBe(errorCount);
      expect(await stores.syncRuns.collection.countDocuments({ workflowId })).toBe(1);
      for (const courseId of live) {
        for (const enrollment of await enrollmentsOf(courseId)) {
          expect(enrollment.updatedAt.getTime()).toBeGreaterThan(startedAt.getTime());
          await expectSyncedFromModel(enrollment);
        }
      }
    } finally {
      first.kill('SIGKILL');
      sim.faults.reset();
    }
  });

  function callsDelta(before: Record<string, number>): Record<string, number> {
    const delta: Record<string, number> = {};
    for (const [name, count] of Object.entries(sim.calls.byFunction())) {
      if (count !== (before[name] ?? 0)) delta[name] = count - (before[name] ?? 0);
    }
    return delta;
  }

  /** The first worker of the kill test, in a process of its own. */
  async function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../support/worker-process.ts')], {
      env: {
        ...process.env,
        MONGODB_DB: harness.database.db.databaseName,
        TEMPORAL_TASK_QUEUE: taskQueue,
        MOODLE_URL: sim.url,
        MOODLE_TOKEN: TOKEN,
        MOODLE_TIMEOUT: '5s',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`worker process exited with ${code}`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
    });
    return child;
  }
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
