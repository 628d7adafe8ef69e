import { generateSite, type SiteModel } from '../../src/moodle-sim';
import { SCHEDULE_IDS } from '../../src/temporal/workflow-ids';
import { COURSE_ENROLLMENT_SYNC_START_TO_CLOSE_MS } from '../../workflows/settings';
import { courseActivities, largestHistoryEvent } from '../support/course-activities';
import { expectEnrollmentsFromModel } from '../support/enrollments-from-model';
import { triggerScheduledRun } from '../support/schedule-runs';
import { enrollEveryStudent, type ServiceStack } from '../support/service-stack';
import { startStackOnOwnTemporal } from '../support/stack-on-own-temporal';
import { moveWorkerToProcess, type ArmedWorker } from '../support/worker-processes';

const TOKEN = '4a6e4a6e4a6e4a6e4a6e4a6e4a6e4a6e';
const STUDENTS = 3_000;
const GRADE_ITEMS = 80;
const MAX_WORKER_RSS_MB = 512;
/** The largest event a workflow history may hold: counts and messages, never a gradebook. */
const MAX_HISTORY_EVENT_BYTES = 16 * 1024;
/** 2025-02-03: generated data never depends on the clock. */
const START_DATE = 1_738_540_800;
const WEEK = 7 * 86_400;

/**
 * A small generated site plus one first-year lecture of `STUDENTS` students and `GRADE_ITEMS` graded
 * assignments, each student graded in about two cells of three: a grade report of some 144 MiB.
 */
function siteWithHugeCourse(): { site: SiteModel; courseId: number } {
  const site = generateSite({ seed: 'huge-course', courses: 3, studentsPerCourse: 3, activitiesPerCourse: 3 });
  const course = site.addCourse({
    shortname: 'HUGE101',
    fullname: 'Introduction to Everything',
    startdate: START_DATE,
    enddate: START_DATE + 20 * WEEK,
    sections: [{ name: 'General' }, ...Array.from({ length: 10 }, (_, n) => ({ name: `Week ${n + 1}` }))],
  });
  for (let n = 1; n <= GRADE_ITEMS; n++) {
    site.addActivity(course.id, {
      section: 1 + ((n - 1) % 10),
      modname: 'assign',
      name: `Exercise ${n}`,
      gradeItems: [{ grademax: 20 }],
    });
  }
  const studentIds = Array.from({ length: STUDENTS }, (_, n) => {
    const user = site.addUser({
      firstname: `Hugo${n}`,
      lastname: `Lecture${n}`,
      username: `huge${n}`,
      idnumber: `HUGE${n}`,
    });
    site.enrol(course.id, user.id, 'student');
    return user.id;
  });
  site.seedGrades(course.id, { seed: 101, cellProbability: 0.66, gradedUserIds: studentIds, startdate: START_DATE });
  return { site, courseId: course.id };
}

/**
 * Fault row "A huge course": its whole gradebook in one report, synced by a real worker process whose
 * memory is measured, within the activity's heartbeat and time-out budgets, and without the gradebook
 * passing through any workflow history.
 */
describe(`a course of ${STUDENTS} students × ${GRADE_ITEMS} grade items`, () => {
  let stack: ServiceStack;
  let worker: ArmedWorker;
  let hugeCourseId: number;

  beforeAll(async () => {
    const { site, courseId } = siteWithHugeCourse();
    hugeCourseId = courseId;
    stack = await startStackOnOwnTemporal({ site, token: TOKEN, name: 'huge_course' });
    // As the image runs it (Dockerfile): two malloc arenas, or freed report buffers stay in the process.
    worker = await moveWorkerToProcess(stack, { MALLOC_ARENA_MAX: '2' });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await stack?.close();
  });

  it('syncs within the heartbeat and time-out budgets, under 512 MB of worker memory, with no gradebook in a history', async () => {
    const { enrollments } = await enrollEveryStudent(stack);
    const { temporal } = stack.connections;
    const startedAt = new Date();
    const run = await triggerScheduledRun(temporal, SCHEDULE_IDS.enrollmentSync);
    const result = await run.result();
    const peakRssMb = worker.peakRssMb();
    const huge = (await courseActivities(temporal, run.workflowId)).find((a) => a.courseId === hugeCourseId);
    console.info(
      `huge course: ${STUDENTS} × ${GRADE_ITEMS} synced in ${huge?.durationMs} ms ` +
        `(start-to-close ${COURSE_ENROLLMENT_SYNC_START_TO_CLOSE_MS} ms); worker peak RSS ${peakRssMb.toFixed(0)} MB`,
    );

    expect(result).toMatchObject({ outcome: 'SUCCEEDED', counts: { coursesFailed: 0, enrollmentsFailed: 0 } });
    // One attempt, never timed out: its heartbeats kept coming through the download and the writes.
    expect(huge).toMatchObject({ outcome: 'completed', attempt: 1 });
    expect(huge!.durationMs!).toBeLessThan(COURSE_ENROLLMENT_SYNC_START_TO_CLOSE_MS);
    expect(peakRssMb).toBeLessThan(MAX_WORKER_RSS_MB);
    const course = await stack.connections.stores.courses.get(hugeCourseId);
    expect(course?.gradebookUsers).toBe(STUDENTS);

    expect(await largestHistoryEvent(temporal, run.workflowId)).toBeLessThan(MAX_HISTORY_EVENT_BYTES);
    await expectEnrollmentsFromModel(stack.connections.stores, stack.sim.site, { enrollments, since: startedAt });
  }, 600_000);
});
