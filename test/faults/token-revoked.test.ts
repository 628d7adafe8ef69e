import { WorkflowFailedError } from '@temporalio/client';
import { createApp, type ApiApp } from '../../src/api/app';
import { generateApiKey, hashApiKey } from '../../src/api/auth';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { MOODLE_FUNCTIONS } from '../../src/moodle';
import { generateSite, type MoodleSimulator } from '../../src/moodle-sim';
import type { Stores } from '../../src/store';
import type { Database } from '../../src/store/mongo';
import { syncRunId } from '../../src/store/sync-runs';
import { temporalSyncLauncher, type SyncLauncher } from '../../src/temporal/launcher';
import { replayFailedSyncs } from '../../src/use-cases/replay';
import { startEnrollmentSyncOf } from '../../src/use-cases/start-sync';
import { waitForSync } from '../../src/use-cases/sync-outcome';
import { readSyncStatus } from '../../src/use-cases/sync-status';
import { SYNC_OUTCOME } from '../../workflows/search-attributes';
import type { TestTemporal } from '../support/environment';
import { expectEnrollmentsFromModel } from '../support/enrollments-from-model';
import { expectNoSecrets } from '../support/secret-scan';
import { openAndEnrollEverything } from '../support/service-stack';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness';

const TOKEN = '70ce4e7070ce4e7070ce4e7070ce4e70';
const READER_KEY = generateApiKey();
const COURSES = 8;
/** Courses read at once (SYNC_COURSE_CONCURRENCY): each lane may have one course in flight when the token goes. */
const CONCURRENCY = 2;
/** Every Moodle answer takes this long, so that the token is revoked while the run is surely half-way. */
const MOODLE_LATENCY_MS = 500;
/** The token goes once this many courses have been synced. */
const SYNCED_BEFORE_REVOCATION = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fault row "Token revoked in the middle of a run": Moodle's admin revokes the sync's token after
 * some courses of an enrollment sync are written. The run stops asking Moodle, fails with
 * INVALID_TOKEN, and leaves every course either fully new or fully as it was; after the token is
 * restored, `sms-sync replay` finishes the job without writing the done courses again.
 */
describe('the token revoked in the middle of an enrollment sync', () => {
  let harness: SyncHarness;
  let temporal: TestTemporal;
  let database: Database;
  let stores: Stores;
  let sim: MoodleSimulator;
  let launcher: SyncLauncher;
  let app: ApiApp;
  let courseIds: number[];
  let enrollmentCount: number;
  const syncConfig = loadConfig({}).sync;

  beforeAll(async () => {
    harness = await startSyncHarness({
      site: generateSite({ seed: 'token-revoked', courses: COURSES, studentsPerCourse: 4, activitiesPerCourse: 4 }),
      token: TOKEN,
      moodleTimeoutMs: 10_000,
    });
    ({ temporal, database, stores, sim } = harness);
    launcher = temporalSyncLauncher(temporal.client, {
      temporal: { taskQueue: temporal.taskQueue },
      sync: { courseConcurrency: CONCURRENCY },
    });
    app = createApp({
      stores,
      moodle: harness.moodle,
      syncs: launcher,
      now: () => new Date(),
      syncIntervals: syncConfig,
      apiKeys: [{ role: 'reader', sha256: hashApiKey(READER_KEY) }],
      graphiql: false,
      logger: createLogger('silent'),
    });

    // An SMS that has synced before: every student enrolled, every enrollment holding Moodle's grades.
    ({ courseIds, enrollments: enrollmentCount } = await openAndEnrollEverything(
      temporal.client,
      temporal.taskQueue,
      stores,
      sim.site,
    ));
    const first = await startEnrollmentSyncOf(stores, launcher);
    expect((await waitForSync(temporal.client, stores, first)).run?.outcome).toBe('SUCCEEDED');
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  /** Teachers regrade: every student's course total is overridden, so that every enrollment's new data differs. */
  function regradeEveryone(): void {
    for (const courseId of courseIds) {
      const gradebook = sim.site.gradebook(courseId);
      for (const user of sim.site.students(courseId)) {
        const total = gradebook.courseTotal(user.id);
        const { id, grademin, grademax } = total.item;
        sim.site.overrideGrade(courseId, user.id, id, total.value === grademax ? grademin : grademax);
      }
    }
  }

  const enrollmentsOf = async (ids: readonly number[]) =>
    (await stores.enrollments.collection.find({}).sort({ _id: 1 }).toArray()).filter((enrollment) =>
      ids.includes(enrollment.courseId),
    );
  const reportCardsOf = async (ids: readonly number[]) =>
    (await stores.reportCards.collection.find({}).sort({ _id: 1 }).toArray()).filter((card) =>
      ids.includes(card.courseId),
    );
  const coursesSyncedSince = async (since: Date) =>
    (await stores.courses.collection.find({ enrollmentsSyncedAt: { $gt: since } }).toArray()).map(
      (course) => course._id,
    );

  /** GraphQL `syncStatus`, as the SMS front end reads it. */
  async function graphqlSyncStatus(): Promise<unknown> {
    const response = await app.fetch('http://127.0.0.1/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${READER_KEY}` },
      body: JSON.stringify({ query: '{ syncStatus { connection cause lastEnrollmentSync { workflowId outcome } } }' }),
    });
    return ((await response.json()) as { data: { syncStatus: unknown } }).data.syncStatus;
  }

  it('stops at once, fails with INVALID_TOKEN, leaves no course half-written; a replay finishes the job', async () => {
    regradeEveryone();
    const before = { enrollments: await enrollmentsOf(courseIds), reportCards: await reportCardsOf(courseIds) };
    sim.faults.set({ latencyMs: MOODLE_LATENCY_MS });
    const runStart = new Date();

    const started = await startEnrollmentSyncOf(stores, launcher);
    while ((await coursesSyncedSince(runStart)).length < SYNCED_BEFORE_REVOCATION) await sleep(25);
    sim.site.revokeToken();
    const callsAtRevocation = sim.calls.byFunction();
    const failure = await temporal.client.workflow
      .getHandle(started.workflowId, started.runId)
      .result()
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Stopped without hammering Moodle: at most the call or two each lane had already sent, none retried.
    const gradebookCalls =
      sim.calls.get(MOODLE_FUNCTIONS.gradeItems) - (callsAtRevocation[MOODLE_FUNCTIONS.gradeItems] ?? 0);
    const contentsCalls =
      sim.calls.get(MOODLE_FUNCTIONS.courseContents) - (callsAtRevocation[MOODLE_FUNCTIONS.courseContents] ?? 0);
    expect(gradebookCalls).toBeLessThanOrEqual(CONCURRENCY);
    expect(contentsCalls).toBeLessThanOrEqual(CONCURRENCY);

    // FAILED with the technician's cause, the same wherever ops look.
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const synced = await coursesSyncedSince(runStart);
    const untouched = courseIds.filter((id) => !synced.includes(id));
    expect(synced.length).toBeGreaterThanOrEqual(SYNCED_BEFORE_REVOCATION);
    expect(untouched.length).toBeGreaterThan(0);
    // One record of the run (the same workflow id ran before: a manual sync of all courses has one id).
    expect(await stores.syncRuns.collection.countDocuments({ runId: started.runId })).toBe(1);
    const run = await stores.syncRuns.get(syncRunId(started.workflowId, started.runId));
    expect(run).toMatchObject({
      outcome: 'FAILED',
      error: { code: 'MOODLE_INVALID_TOKEN' },
      counts: { coursesToSync: COURSES, coursesSynced: synced.length },
    });
    expect(run?.error?.message).toContain(`(stopped after ${synced.length} of ${COURSES} courses)`);
    expect(run?.error?.message).not.toContain(TOKEN);
    const { state } = await readSyncStatus(stores, new Date(), syncConfig);
    expect(state).toMatchObject({ status: 'FAILING', cause: 'INVALID_TOKEN' });
    expect(await graphqlSyncStatus()).toEqual({
      connection: 'FAILING',
      cause: 'INVALID_TOKEN',
      lastEnrollmentSync: { workflowId: started.workflowId, outcome: 'FAILED' },
    });
    const { typedSearchAttributes } = await temporal.client.workflow.getHandle(started.workflowId).describe();
    expect(typedSearchAttributes.get(SYNC_OUTCOME)).toBe('FAILED');

    // Each course is all new or all old: the synced ones as Moodle has them now, the others untouched.
    const syncedEnrollments = await enrollmentsOf(synced);
    for (const enrollment of syncedEnrollments)
      expect(enrollment.lastSyncedAt!.getTime()).toBeGreaterThan(runStart.getTime());
    expect(await enrollmentsOf(untouched)).toEqual(before.enrollments.filter((e) => untouched.includes(e.courseId)));
    expect(await reportCardsOf(untouched)).toEqual(before.reportCards.filter((c) => untouched.includes(c.courseId)));
    expect(await stores.enrollments.collection.countDocuments()).toBe(enrollmentCount);
    expect(await stores.reportCards.collection.countDocuments()).toBe(enrollmentCount);

    // The technician restores the token, then `sms-sync replay`.
    sim.site.restoreToken();
    sim.faults.set({ latencyMs: 0 });
    const replay = await replayFailedSyncs(stores, launcher, { since: runStart });
    expect(replay.plan).toEqual({ fullCourseSync: false, fullEnrollmentSync: true, courseIds: [] });
    expect(replay.started.map((workflow) => workflow.workflowId)).toEqual(['enrollment-sync-replay-all']);
    const finished = await waitForSync(temporal.client, stores, replay.started[0]!);

    // Nothing written twice: only the courses the failed run did not reach changed.
    const untouchedCount = (await enrollmentsOf(untouched)).length;
    expect(finished.run).toMatchObject({
      outcome: 'SUCCEEDED',
      counts: {
        coursesSynced: COURSES,
        enrollmentsChanged: untouchedCount,
        enrollmentsUnchanged: syncedEnrollments.length,
      },
    });
    expect(await enrollmentsOf(synced)).toEqual(syncedEnrollments);
    await expectEnrollmentsFromModel(stores, sim.site, { enrollments: enrollmentCount, since: runStart });
    expect(await stores.syncErrors.open()).toEqual([]);
    expect((await readSyncStatus(stores, new Date(), syncConfig)).state).toMatchObject({ status: 'HEALTHY' });
    expect(await graphqlSyncStatus()).toMatchObject({ connection: 'HEALTHY', cause: null });

    // The refusal's messages travelled through Moodle's answer, the activity, the workflow and the store.
    await expectNoSecrets([TOKEN, READER_KEY], {
      temporal: temporal.client,
      query: `TaskQueue = "${temporal.taskQueue}"`,
      db: database.db,
      shown: [run, finished.run, failure],
    });
  });
});
