import { WorkflowFailedError } from '@temporalio/client';
import { confirmHeldDeletions } from '../../src/use-cases/course-deletions';
import { SYNC_SCOPES } from '../../src/domain/sync-scopes';
import { generateSite, type MoodleSimulator } from '../../src/moodle-sim';
import type { Stores } from '../../src/store';
import type { CourseDocument } from '../../src/store/courses';
import { startCourseSync } from '../../src/temporal/client';
import { uniqueName, type TestTemporal } from '../support/environment';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness';

const TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee00';

describe('course sync on the real Temporal dev server, FerretDB and the Moodle simulator', () => {
  let harness: SyncHarness;
  let temporal: TestTemporal;
  let stores: Stores;
  let sim: MoodleSimulator;

  beforeAll(async () => {
    harness = await startSyncHarness({
      site: generateSite({ seed: 'course-sync', courses: 10, studentsPerCourse: 3, activitiesPerCourse: 4 }),
      token: TOKEN,
      moodleTimeoutMs: 1_000,
    });
    ({ temporal, stores, sim } = harness);
  });

  afterAll(async () => {
    await harness?.close();
  });

  const runCourseSync = () => harness.runCourseSync();

  const storedCourses = async () =>
    new Map((await stores.courses.collection.find({}).toArray()).map((course) => [course._id, course]));

  const liveSimCourses = () => sim.site.courses().filter((course) => course.format !== 'site');

  it('stores every course as NEW with its Moodle fields, and never the front page', async () => {
    const result = await runCourseSync();

    const stored = await storedCourses();
    const expected = liveSimCourses();
    expect(stored.size).toBe(expected.length);
    expect(stored.has(1)).toBe(false);
    for (const course of expected) {
      expect(stored.get(course.id)).toMatchObject({
        state: 'NEW',
        deleted: false,
        lmsDeletedAt: null,
        moodle: { shortName: course.shortname, fullName: course.fullname, categoryId: course.categoryid },
      });
    }
    expect(result.counts).toMatchObject({ coursesSeen: expected.length, coursesNew: expected.length });
    const run = await stores.syncRuns.get(result.syncRunId);
    expect(run).toMatchObject({ kind: 'COURSE', outcome: 'SUCCEEDED', trigger: 'MANUAL', error: null });
    expect(run?.moodleCalls).toEqual({ core_webservice_get_site_info: 1, core_course_get_courses: 1 });
  });

  it('writes no course document when nothing changed in Moodle', async () => {
    const before = await storedCourses();
    const result = await runCourseSync();
    const after = await storedCourses();

    expect(result.counts).toMatchObject({ coursesNew: 0, coursesChanged: 0, coursesDeleted: 0, documentsWritten: 0 });
    for (const [id, course] of after) expect(course.updatedAt).toEqual(before.get(id)?.updatedAt);
  });

  it('keeps an admin’s OPEN/CLOSED state across syncs and updates a renamed course', async () => {
    const [first, second] = liveSimCourses();
    await stores.courses.setState(first!.id, 'OPEN', new Date());
    await stores.courses.setState(second!.id, 'CLOSED', new Date());
    sim.site.updateCourse(first!.id, { fullname: 'Renamed in Moodle' });

    const result = await runCourseSync();

    const stored = await storedCourses();
    expect(stored.get(first!.id)).toMatchObject({ state: 'OPEN', moodle: { fullName: 'Renamed in Moodle' } });
    expect(stored.get(second!.id)?.state).toBe('CLOSED');
    expect(result.counts).toMatchObject({ coursesChanged: 1, documentsWritten: 1 });
  });

  it('marks a course deleted in Moodle without removing it, and restores it with its state', async () => {
    const [course] = liveSimCourses();
    sim.site.deleteCourse(course!.id);

    const deletion = await runCourseSync();
    const deleted = (await storedCourses()).get(course!.id);
    expect(deletion.counts.coursesDeleted).toBe(1);
    expect(deleted).toMatchObject({ deleted: true, state: 'OPEN' });
    expect(deleted?.lmsDeletedAt).toBeInstanceOf(Date);

    sim.site.restoreCourse(course!.id);
    const restoration = await runCourseSync();
    expect(restoration.counts.coursesRestored).toBe(1);
    expect((await storedCourses()).get(course!.id)).toMatchObject({
      deleted: false,
      lmsDeletedAt: null,
      state: 'OPEN',
    });
  });

  it.each([
    [
      'the token is revoked',
      () => sim.site.revokeToken(),
      () => sim.site.restoreToken(),
      'MOODLE_INVALID_TOKEN',
      /token/i,
    ],
    [
      'core_course_get_courses is removed from the service',
      () => sim.site.removeFunction('core_course_get_courses'),
      () => sim.site.addFunction('core_course_get_courses'),
      'MOODLE_FUNCTION_NOT_ALLOWED',
      /core_course_get_courses/,
    ],
  ])(
    'fails once, without retrying or changing any course, when %s; the next good run resolves it',
    async (_case, revoke, restore, code, cause) => {
      const before = await storedCourses();
      sim.site.addCourse({ shortname: uniqueName('NEWC'), fullname: 'Arrives during the outage', categoryid: 1 });
      revoke();
      const callsBefore = sim.calls.total();

      const failure = await runCourseSync().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect(String((failure as WorkflowFailedError).cause?.message)).toMatch(cause);
      expect(sim.calls.total() - callsBefore).toBe(1);
      expect(await storedCourses()).toEqual(before);
      const [open] = await stores.syncErrors.open(SYNC_SCOPES.run.COURSE);
      expect(open).toMatchObject({ code, occurrences: 1 });
      expect(open?.message).toMatch(cause);
      expect(open?.message).not.toContain(TOKEN);
      const failedRun = await stores.syncRuns.latest('COURSE');
      expect(failedRun).toMatchObject({ outcome: 'FAILED', error: { code } });
      // The failed run's history (inputs, failures, details) must not hold the token either.
      const history = await temporal.client.workflow.getHandle(failedRun!.workflowId).fetchHistory();
      expect(history.events?.length).toBeGreaterThan(0);
      expect(JSON.stringify(history)).not.toContain(TOKEN);

      restore();
      const recovery = await runCourseSync();
      expect(recovery.counts.coursesNew).toBe(1);
      expect(await stores.syncErrors.open(SYNC_SCOPES.run.COURSE)).toEqual([]);
    },
  );

  it.each([
    ['answers 5xx', { serverErrorRate: 1 }],
    ['times out', { timeoutRate: 1 }],
  ])('retries with backoff while Moodle %s, then succeeds', async (_case, fault) => {
    sim.faults.set(fault);
    const started = sim.calls.total();
    const run = runCourseSync();
    // Let two attempts fail, then heal the site.
    while (sim.calls.total() - started < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    sim.faults.reset();

    const result = await run;
    expect(result.counts.coursesSeen).toBe(liveSimCourses().length);
    expect(await stores.syncErrors.open(SYNC_SCOPES.run.COURSE)).toEqual([]);
  });

  it('holds deletions when 80 % of the courses vanish at once, until an admin confirms them', async () => {
    const live = liveSimCourses();
    const vanishing = live.slice(0, Math.ceil(live.length * 0.8)).map((course) => course.id);
    for (const id of vanishing) sim.site.deleteCourse(id);

    const held = await runCourseSync();
    expect(held.counts).toMatchObject({ coursesDeleted: 0, heldDeletions: vanishing.length });
    const stored = await storedCourses();
    for (const id of vanishing) expect(stored.get(id)?.deleted).toBe(false);
    const [error] = await stores.syncErrors.open(SYNC_SCOPES.heldDeletions);
    expect(error?.details.courseIds).toEqual([...vanishing].sort((a, b) => a - b));
    expect(error?.message).toMatch(/not marked deleted/);
    expect((await stores.syncRuns.latest('COURSE'))?.outcome).toBe('PARTIAL');

    // New courses in Moodle bring the missing share far under the limit; the held deletions still wait.
    for (let index = 0; index < vanishing.length * 2; index += 1) {
      sim.site.addCourse({ fullname: `Newcomer ${index}`, shortname: `NEW-${index}` });
    }
    await runCourseSync();
    const stillHeld = await runCourseSync();
    expect(stillHeld.counts).toMatchObject({ coursesNew: 0, coursesDeleted: 0, heldDeletions: vanishing.length });
    const unconfirmed = await storedCourses();
    for (const id of vanishing) expect(unconfirmed.get(id)?.deleted).toBe(false);

    const confirmation = await confirmHeldDeletions(stores, new Date());
    expect(confirmation.deleted.sort((a, b) => a - b)).toEqual([...vanishing].sort((a, b) => a - b));
    const after = await storedCourses();
    for (const id of vanishing) expect(after.get(id)).toMatchObject<Partial<CourseDocument>>({ deleted: true });
    expect(await stores.syncErrors.open(SYNC_SCOPES.heldDeletions)).toEqual([]);
  });

  it('can be started on demand and reports its workflow id', async () => {
    const started = await startCourseSync(temporal.client, temporal.taskQueue, { trigger: 'MANUAL', now: new Date() });
    expect(started.workflowId).toMatch(/^course-sync-manual-/);
    const result = await temporal.client.workflow.getHandle(started.workflowId).result();
    // Every course still live in the simulator, the front page aside.
    expect(result.counts.coursesSeen).toBe(liveSimCourses().length);
  });
});
