import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { request } from 'undici';
import { createActivities } from '../../activities';
import { createApp, type ApiApp } from '../../src/api/app';
import { generateApiKey, hashApiKey } from '../../src/api/auth';
import { loadConfig } from '../../src/config';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/local/services';
import { resolveTool } from '../../src/local/tools';
import { FAILURE_TYPES } from '../../src/domain/sync-failure';
import { createLogger } from '../../src/logger';
import { createMoodleClient, MOODLE_FUNCTIONS, type MoodleClient } from '../../src/moodle';
import { generateSite, startMoodleSimulator, type MoodleSimulator } from '../../src/moodle-sim';
import { Secret } from '../../src/secret';
import type { Stores } from '../../src/store';
import type { Database } from '../../src/store/mongo';
import { temporalSyncLauncher, type SyncLauncher } from '../../src/temporal/launcher';
import { ensureSchedules } from '../../src/temporal/schedules';
import { createWorker } from '../../src/temporal/worker';
import { SCHEDULE_IDS } from '../../src/temporal/workflow-ids';
import { startEnrollmentSyncOf } from '../../src/use-cases/start-sync';
import { readSyncStatus } from '../../src/use-cases/sync-status';
import type { EnrollmentSyncResult } from '../../workflows/enrollment-sync';
import { SYNC_OUTCOME } from '../../workflows/search-attributes';
import { openTemporal, openTestStores, workflowBundlePath, type TestTemporal } from '../support/environment';
import { expectEnrollmentsFromModel } from '../support/enrollments-from-model';
import { DEFAULT_MOODLE_CLIENT_SETTINGS } from '../support/moodle-defaults';
import { openAndEnrollEverything } from '../support/service-stack';

const TOKEN = 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0';
const ADMIN_KEY = generateApiKey();
const COURSES = 6;
/** Every Moodle answer takes this long: two syncs of one course side by side would surely overlap. */
const MOODLE_LATENCY_MS = 400;
/** Both runs read 3 courses at once (SYNC_COURSE_CONCURRENCY), in the same order: they meet on every course. */
const CONCURRENCY = 3;
/**
 * A busy course is tried again this soon (20 s in production, COURSE_SYNC_BUSY_RETRY_MS): five retries,
 * 12.5 s in all, far more than the other run holds a course here.
 */
const BUSY_RETRY_MS = 2_500;
const WEEK = '7d';

/** One Moodle request as it passed the recording hop: which function, which course, from arrival to answer. */
interface MoodleRead {
  wsfunction: string;
  courseId: number | null;
  startedAt: number;
  endedAt: number;
}

/**
 * An HTTP hop between the worker's Moodle client and the simulator that notes every request's course
 * and times, seen from Moodle's side: the evidence of who read which course when, independent of the
 * service's own bookkeeping. It never keeps a body (the token travels in it).
 */
async function startRecordingHop(
  target: string,
): Promise<{ url: string; reads: MoodleRead[]; close(): Promise<void> }> {
  const reads: MoodleRead[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const startedAt = performance.now();
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const url = new URL(incoming.url ?? '/', target);
      const courseId = new URLSearchParams(body).get('courseid');
      request(url, { method: 'POST', headers: { 'content-type': String(incoming.headers['content-type']) }, body })
        .then(async (answer) => {
          const text = await answer.body.text();
          outgoing.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type']) });
          outgoing.end(text, () => {
            reads.push({
              wsfunction: url.searchParams.get('wsfunction') ?? '',
              courseId: courseId === null ? null : Number(courseId),
              startedAt,
              endedAt: performance.now(),
            });
          });
        })
        .catch(() => outgoing.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reads,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Pairs of reads of one function for one course whose times overlap: two syncs of that course at once. */
function overlappingReads(reads: readonly MoodleRead[]): [MoodleRead, MoodleRead][] {
  const overlaps: [MoodleRead, MoodleRead][] = [];
  const byCourse = new Map<string, MoodleRead[]>();
  for (const read of reads) {
    if (read.courseId === null) continue;
    const key = `${read.wsfunction} ${read.courseId}`;
    byCourse.set(key, [...(byCourse.get(key) ?? []), read]);
  }
  for (const sameCourse of byCourse.values()) {
    const sorted = [...sameCourse].sort((a, b) => a.startedAt - b.startedAt);
    for (let index = 1; index < sorted.length; index += 1) {
      if (sorted[index]!.startedAt < sorted[index - 1]!.endedAt) overlaps.push([sorted[index - 1]!, sorted[index]!]);
    }
  }
  return overlaps;
}

function gradebookReadsByCourse(reads: readonly MoodleRead[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const read of reads) {
    if (read.wsfunction !== MOODLE_FUNCTIONS.gradeItems || read.courseId === null) continue;
    counts[read.courseId] = (counts[read.courseId] ?? 0) + 1;
  }
  return counts;
}

/**
 * Fault row "Sync now while a sync runs": the schedule's run, three `triggerEnrollmentSync` from the
 * API and one `sms-sync sync enrollments`, all at once, for all courses and then for one. Identical
 * requests join one run; runs that overlap (the schedule's and a manual one) queue on each course's
 * lease, so no course is ever read or written by two syncs at once. On a Temporal dev server of this
 * file's own, where the worker's `ensureSchedules` owns the real schedule ids.
 */
describe('"Sync now" while a sync runs', () => {
  let server: TemporalDevServer;
  let temporal: TestTemporal;
  let database: Database;
  let stores: Stores;
  let sim: MoodleSimulator;
  let hop: Awaited<ReturnType<typeof startRecordingHop>>;
  let moodle: MoodleClient;
  let worker: Worker;
  let workerRun: Promise<void>;
  let launcher: SyncLauncher;
  let app: ApiApp;
  let courseIds: number[];
  let enrollmentCount: number;
  /** When the first syncs began: every enrollment has been written since (later runs write only changes). */
  let firstSyncAt: Date;

  beforeAll(async () => {
    const config = loadConfig();
    server = await startTemporalDevServer({ binary: resolveTool('temporal', config), namespace: 'default' });
    temporal = await openTemporal(
      loadConfig(
        { ...process.env, TEMPORAL_ADDRESS: server.address },
        { require: ['TEMPORAL_ADDRESS', 'MONGODB_URI'] },
      ),
    );
    ({ database, stores } = await openTestStores());
    sim = await startMoodleSimulator({
      site: generateSite({ seed: 'concurrent-syncs', courses: COURSES, studentsPerCourse: 4, activitiesPerCourse: 4 }),
      token: TOKEN,
    });
    hop = await startRecordingHop(sim.url);
    moodle = createMoodleClient({
      ...DEFAULT_MOODLE_CLIENT_SETTINGS,
      url: hop.url,
      token: new Secret(TOKEN),
      timeoutMs: 10_000,
    });
    worker = await createWorker({
      connection: temporal.connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      activities: createActivities({
        stores,
        moodle,
        now: () => new Date(),
        deletionGuardRatio: 0.5,
        courseBusyRetryMs: BUSY_RETRY_MS,
      }),
      workflowBundlePath: workflowBundlePath(),
    });
    workerRun = worker.run();
    // As the worker does at start, on this file's task queue; paused so that only the test triggers it.
    await ensureSchedules(temporal.client, {
      taskQueue: temporal.taskQueue,
      courseSyncIntervalMs: 7 * 24 * 3_600_000,
      enrollmentSyncIntervalMs: 7 * 24 * 3_600_000,
      courseConcurrency: CONCURRENCY,
    });
    for (const id of Object.values(SCHEDULE_IDS))
      await temporal.client.schedule.getHandle(id).pause('the test triggers');

    const syncConfig = loadConfig({ COURSE_SYNC_INTERVAL: WEEK, ENROLLMENT_SYNC_INTERVAL: WEEK }).sync;
    launcher = temporalSyncLauncher(temporal.client, {
      temporal: { taskQueue: temporal.taskQueue },
      sync: { courseConcurrency: CONCURRENCY },
    });
    app = createApp({
      stores,
      moodle,
      syncs: launcher,
      now: () => new Date(),
      syncIntervals: syncConfig,
      apiKeys: [{ role: 'admin', sha256: hashApiKey(ADMIN_KEY) }],
      graphiql: false,
      logger: createLogger('silent'),
    });

    // The SMS before the first enrollment sync: Moodle's courses, all OPEN, every student enrolled.
    ({ courseIds, enrollments: enrollmentCount } = await openAndEnrollEverything(
      temporal.client,
      temporal.taskQueue,
      stores,
      sim.site,
    ));
    sim.faults.set({ latencyMs: MOODLE_LATENCY_MS });
  }, 120_000);

  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
    await moodle?.close();
    await hop?.close();
    await sim?.close();
    await database?.close();
    await temporal?.close();
    await server?.stop();
  });

  /** The API's `triggerEnrollmentSync`, through Yoga's own fetch, as an admin. */
  async function apiTrigger(ids?: number[]): Promise<string[]> {
    const argument = ids === undefined ? '' : `(courseIds: [${ids.map((id) => `"${id}"`).join(', ')}])`;
    const response = await app.fetch('http://127.0.0.1/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ query: `mutation { triggerEnrollmentSync${argument} { workflowIds } }` }),
    });
    const body = (await response.json()) as { data?: { triggerEnrollmentSync: { workflowIds: string[] } } };
    if (!body.data) throw new Error(`triggerEnrollmentSync failed: ${JSON.stringify(body)}`);
    return body.data.triggerEnrollmentSync.workflowIds;
  }

  /** The schedule's run, as the Temporal UI's Trigger button or `sms-sync schedules trigger` starts it. */
  async function triggerSchedule(): Promise<string> {
    const schedule = temporal.client.schedule.getHandle(SCHEDULE_IDS.enrollmentSync);
    const before = (await schedule.describe()).info.recentActions.length;
    await schedule.trigger();
    for (;;) {
      const { recentActions } = (await schedule.describe()).info;
      const started = recentActions[before]?.action;
      if (started !== undefined) return started.workflow.workflowId;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Enrollment-sync workflows (not their batches) on this file's task queue started since `since`. */
  async function enrollmentSyncRuns(since: Date): Promise<WorkflowExecutionInfo[]> {
    const runs: WorkflowExecutionInfo[] = [];
    const query = `TaskQueue = "${temporal.taskQueue}" AND WorkflowType = "enrollmentSyncWorkflow"`;
    for await (const run of temporal.client.workflow.list({ query })) if (run.startTime >= since) runs.push(run);
    return runs;
  }

  /** Courses of a run that waited for another sync to let go of them (attempts after a CourseSyncBusy). */
  async function busyWaits(workflowId: string): Promise<number> {
    const { events } = await temporal.client.workflow.getHandle(`${workflowId}-batch-1`).fetchHistory();
    return (events ?? []).filter(
      (event) =>
        event.activityTaskStartedEventAttributes?.lastFailure?.applicationFailureInfo?.type === FAILURE_TYPES.busy,
    ).length;
  }

  /** The two runs were in flight at the same time, and one of them queued behind the other on some course. */
  async function expectRunsMet(runs: readonly WorkflowExecutionInfo[]): Promise<void> {
    const [first, second] = runs;
    expect(first!.startTime.getTime()).toBeLessThan(second!.closeTime!.getTime());
    expect(second!.startTime.getTime()).toBeLessThan(first!.closeTime!.getTime());
    const waits = await Promise.all(runs.map((run) => busyWaits(run.workflowId)));
    expect(waits.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
  }

  /**
   * Sends the four manual requests and the schedule's trigger at once, and watches how many
   * enrollment syncs run side by side until every one has finished.
   */
  async function syncNowFromEverywhere(ids?: number[]) {
    const since = new Date();
    const readsBefore = hop.reads.length;
    const [scheduledId, ...manualIds] = await Promise.all([
      triggerSchedule(),
      ...[1, 2, 3].map(async () => (await apiTrigger(ids)).join()),
      startEnrollmentSyncOf(stores, launcher, ids).then((started) => started.workflowId),
    ]);
    let mostRunning = 0;
    for (;;) {
      const runs = await enrollmentSyncRuns(since);
      mostRunning = Math.max(mostRunning, runs.filter((run) => run.status.name === 'RUNNING').length);
      // Both started and none still running: visibility has caught up with both and both are done.
      if (runs.length >= 2 && runs.every((run) => run.status.name !== 'RUNNING')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const runs = await enrollmentSyncRuns(since);
    const results = new Map<string, EnrollmentSyncResult>();
    for (const run of runs)
      results.set(run.workflowId, await temporal.client.workflow.getHandle(run.workflowId).result());
    return {
      since,
      scheduledId: scheduledId!,
      manualIds,
      runs,
      mostRunning,
      results,
      reads: hop.reads.slice(readsBefore),
    };
  }

  /** A teacher grades: one student of each course with a graded activity gets another grade, so that syncs write. */
  function regradeEveryCourse(): void {
    for (const courseId of courseIds) {
      const [user] = sim.site.students(courseId);
      const item = sim.site.gradeItems(courseId).find((candidate) => candidate.itemtype === 'mod' && candidate.cmid);
      if (item === undefined || user === undefined) continue;
      const itemNumber = item.itemnumber ?? 0;
      const current = sim.site.gradeOf(courseId, user.id, item.cmid!, itemNumber);
      const next = current === item.grademax ? item.grademin : item.grademax;
      sim.site.grade(courseId, user.id, item.cmid!, next, { itemNumber });
    }
  }

  /** Every run recorded once, SUCCEEDED, in sync_runs and in the Temporal UI; the connection HEALTHY. */
  async function expectToldEverywhere(workflowIds: readonly string[]): Promise<void> {
    for (const workflowId of workflowIds) {
      const records = await stores.syncRuns.collection.find({ workflowId }).toArray();
      expect({ workflowId, outcomes: records.map((run) => run.outcome) }).toEqual({
        workflowId,
        outcomes: ['SUCCEEDED'],
      });
      const { typedSearchAttributes } = await temporal.client.workflow.getHandle(workflowId).describe();
      expect(typedSearchAttributes.get(SYNC_OUTCOME)).toBe('SUCCEEDED');
    }
    const { state } = await readSyncStatus(stores, new Date(), loadConfig({ ENROLLMENT_SYNC_INTERVAL: WEEK }).sync);
    expect(state).toMatchObject({ status: 'HEALTHY' });
    // Every hold was let go: the next sync of any course starts at once.
    const held = await stores.courseLeases.collection.find({ releasedAt: null }).toArray();
    expect(held).toEqual([]);
  }

  it('joins the identical requests for all courses into one run, and never syncs a course twice at once', async () => {
    regradeEveryCourse();
    const phase = await syncNowFromEverywhere();
    firstSyncAt = phase.since;

    // The four manual requests joined one run; the schedule's is the only other.
    expect(phase.manualIds).toEqual(Array(4).fill('enrollment-sync-manual-all'));
    expect(phase.runs.map((run) => run.workflowId).sort()).toEqual(
      [phase.scheduledId, 'enrollment-sync-manual-all'].sort(),
    );
    expect(phase.mostRunning).toBeLessThanOrEqual(2);
    await expectRunsMet(phase.runs);

    expect(overlappingReads(phase.reads)).toEqual([]);
    // Queued, not skipped: each run read every course once, one after the other.
    expect(gradebookReadsByCourse(phase.reads)).toEqual(Object.fromEntries(courseIds.map((id) => [id, 2])));
    for (const result of phase.results.values()) {
      expect(result).toMatchObject({ outcome: 'SUCCEEDED', counts: { coursesSynced: COURSES, coursesBusy: 0 } });
    }
    await expectEnrollmentsFromModel(stores, sim.site, { enrollments: enrollmentCount, since: phase.since });
    await expectToldEverywhere([...phase.results.keys()]);
  });

  it('joins the identical requests for one course into one run beside the schedule’s, one at a time', async () => {
    regradeEveryCourse();
    const courseId = courseIds[2]!;
    const phase = await syncNowFromEverywhere([courseId]);

    const oneCourse = `enrollment-sync-course-${courseId}`;
    expect(phase.manualIds).toEqual(Array(4).fill(oneCourse));
    expect(phase.runs.map((run) => run.workflowId).sort()).toEqual([phase.scheduledId, oneCourse].sort());
    expect(phase.mostRunning).toBeLessThanOrEqual(2);
    await expectRunsMet(phase.runs);

    expect(overlappingReads(phase.reads)).toEqual([]);
    expect(gradebookReadsByCourse(phase.reads)).toEqual(
      Object.fromEntries(courseIds.map((id) => [id, id === courseId ? 2 : 1])),
    );
    expect(phase.results.get(oneCourse)).toMatchObject({
      outcome: 'SUCCEEDED',
      counts: { coursesToSync: 1, coursesSynced: 1, coursesBusy: 0 },
    });
    expect(phase.results.get(phase.scheduledId)).toMatchObject({
      outcome: 'SUCCEEDED',
      counts: { coursesSynced: COURSES, coursesBusy: 0 },
    });
    await expectEnrollmentsFromModel(stores, sim.site, { enrollments: enrollmentCount, since: firstSyncAt });
    await expectToldEverywhere([...phase.results.keys()]);
  });
});
