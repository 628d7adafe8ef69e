import { generateApiKey, hashApiKey } from '../../src/api/auth';
import { SYNC_SCOPES } from '../../src/domain/sync-scopes';
import { createLogger } from '../../src/logger';
import { generateSite, type MoodleSimulator } from '../../src/moodle-sim';
import type { ApiService } from '../../src/services/api';
import type { Connections, ServiceConfig } from '../../src/services/connections';
import type { RunningWorker } from '../../src/services/worker';
import { HELD_DELETIONS_CODE } from '../../activities/course-sync';
import { courseSyncWorkflow, enrollmentSyncWorkflow } from '../../workflows';
import { uniqueName } from '../support/environment';
import { errorCodes, graphql } from '../support/graphql';
import { startMeteredServices, type MeteredServices } from '../support/metered-services';
import { parsePrometheusText, samplesOf, valueOf, type Sample } from '../support/prometheus-text';
import { studentOf } from '../support/students';
import { waitUntil } from '../support/wait';

const TOKEN = '3e7a1c5e3e7a1c5e3e7a1c5e3e7a1c5e';
const COURSES = 4;
const READER_KEY = generateApiKey();
const ADMIN_KEY = generateApiKey();
const HOUR_MS = 3_600_000;

/** One JSON line of the processes' pino log. */
type LogLine = Record<string, unknown>;

/**
 * The worker and the API as `sms-sync worker` and `sms-sync api` start them (each with connections of
 * its own, as in two processes), with WORKER_METRICS_PORT and API_METRICS_PORT 0, on a Temporal dev
 * server of this file's own (the worker ensures the schedules, whose ids other files own on the shared
 * one), the shared FerretDB, and the Moodle simulator: their /metrics scraped over HTTP after real syncs.
 */
describe('the metrics of the worker and the API', () => {
  const lines: LogLine[] = [];
  let stack: MeteredServices;
  let sim: MoodleSimulator;
  let config: ServiceConfig;
  let workerConnections: Connections;
  let worker: RunningWorker;
  let api: ApiService;
  let courseIds: number[];
  let denied: number;
  let enrollmentsOfSyncedCourses = 0;

  beforeAll(async () => {
    stack = await startMeteredServices({
      name: 'metrics',
      site: generateSite({ seed: 'metrics', courses: COURSES, studentsPerCourse: 3, activitiesPerCourse: 3 }),
      token: TOKEN,
      apiKeys: `reader:${hashApiKey(READER_KEY)},admin:${hashApiKey(ADMIN_KEY)}`,
      log: createLogger('info', { role: 'test' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
    });
    ({ sim, config, workerConnections, worker, api } = stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  const manualRun = (prefix: string) => ({
    taskQueue: config.temporal.taskQueue,
    workflowId: uniqueName(prefix),
    args: [{ trigger: 'MANUAL' as const }] as [{ trigger: 'MANUAL' }],
  });

  async function scrape(url: string | undefined): Promise<{ text: string; samples: Sample[] }> {
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    const text = await response.text();
    return { text, samples: parsePrometheusText(text) };
  }

  /** Label values must never carry the token or the site: every one, on both endpoints. */
  function expectNoSecretInLabels(samples: readonly Sample[]): void {
    const values = new Set(samples.flatMap((sample) => Object.values(sample.labels)));
    const site = new URL(sim.url);
    for (const value of values) {
      for (const secret of [TOKEN, sim.url, site.host, site.origin]) expect(value).not.toContain(secret);
    }
  }

  it('serves each process its own /metrics on a free port of METRICS_HOST', () => {
    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(api.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(worker.metricsUrl).not.toBe(api.metricsUrl);
  });

  it('counts a course sync and an enrollment sync with a refused course, and reads health from the store', async () => {
    const { stores } = workerConnections;
    const courseSync = await workerConnections.temporal.workflow.execute(
      courseSyncWorkflow,
      manualRun('course-sync-metrics'),
    );
    expect(courseSync.counts.coursesNew).toBe(COURSES);

    courseIds = sim.site
      .courses()
      .filter((course) => course.format !== 'site')
      .map((course) => course.id);
    denied = courseIds[1]!;
    const now = new Date();
    for (const courseId of courseIds) {
      await stores.courses.setState(courseId, 'OPEN', now);
      for (const user of sim.site.students(courseId)) {
        const student =
          (await stores.students.getByMoodleUserId(user.id)) ?? (await stores.students.create(studentOf(user), now));
        await stores.enrollments.create({ courseId, studentId: student._id, moodleUserId: user.id }, now);
        if (courseId !== denied) enrollmentsOfSyncedCourses += 1;
      }
    }
    sim.site.denyCourseAccess(denied);

    const enrollmentSync = await workerConnections.temporal.workflow.execute(
      enrollmentSyncWorkflow,
      manualRun('enrollment-sync-metrics'),
    );
    expect(enrollmentSync).toMatchObject({
      outcome: 'PARTIAL',
      counts: { coursesSynced: COURSES - 1, coursesFailed: 1, enrollmentsChanged: enrollmentsOfSyncedCourses },
    });

    // One course left unsynced for longer than two enrollment-sync intervals, and two deletions held back.
    const stale = courseIds[2]!;
    const longAgo = new Date(Date.now() - 2 * config.sync.enrollmentIntervalMs - HOUR_MS);
    await stores.courses.collection.updateOne({ _id: stale }, { $set: { enrollmentsSyncedAt: longAgo } });
    await stores.syncErrors.record(
      {
        scope: SYNC_SCOPES.heldDeletions,
        code: HELD_DELETIONS_CODE,
        message: '2 course deletions held',
        details: { courseIds: [courseIds[0], courseIds[3]] },
      },
      new Date(),
    );

    const { text, samples } = await scrape(worker.metricsUrl);

    const run = (kind: string, outcome: string) => ({ kind, trigger: 'MANUAL', outcome });
    const runs = samplesOf(samples, 'sms_sync_runs_total').filter((sample) => sample.value > 0);
    expect(runs.map(({ labels, value }) => ({ labels, value }))).toEqual([
      { labels: run('COURSE', 'SUCCEEDED'), value: 1 },
      { labels: run('ENROLLMENT', 'PARTIAL'), value: 1 },
    ]);
    const enrollmentDuration = { kind: 'ENROLLMENT', outcome: 'PARTIAL' };
    expect(valueOf(samples, 'sms_sync_run_duration_seconds_count', enrollmentDuration)).toBe(1);
    expect(valueOf(samples, 'sms_sync_courses_total', { result: 'synced' })).toBe(COURSES - 1);
    expect(valueOf(samples, 'sms_sync_courses_total', { result: 'failed' })).toBe(1);
    expect(valueOf(samples, 'sms_sync_course_failures_total', { code: 'MOODLE_COURSE_INACCESSIBLE' })).toBe(1);
    expect(samplesOf(samples, 'sms_sync_course_failures_total')).toHaveLength(1);
    expect(valueOf(samples, 'sms_sync_enrollments_total', { result: 'changed' })).toBe(enrollmentsOfSyncedCourses);
    expect(valueOf(samples, 'sms_sync_enrollments_total', { result: 'failed' })).toBe(0);

    // Every call the simulator answered, by function, and the refused course's one call as an error: its
    // contents come first, and their refusal ends the course.
    const calls = samplesOf(samples, 'sms_sync_moodle_call_duration_seconds_count');
    const callsByFunction: Record<string, number> = {};
    for (const { labels, value } of calls) {
      callsByFunction[labels.wsfunction!] = (callsByFunction[labels.wsfunction!] ?? 0) + value;
    }
    expect(callsByFunction).toEqual(sim.calls.byFunction());
    expect(callsByFunction).toEqual({
      core_webservice_get_site_info: 2,
      core_course_get_courses: 1,
      core_course_get_contents: COURSES,
      gradereport_user_get_grade_items: COURSES - 1,
    });
    const refused = { kind: 'course-inaccessible' };
    expect(
      samplesOf(samples, 'sms_sync_moodle_call_errors_total').map(({ labels, value }) => ({ labels, value })),
    ).toEqual([{ labels: { wsfunction: 'core_course_get_contents', ...refused }, value: 1 }]);
    const ok = (wsfunction: string) => ({ wsfunction, result: 'ok' });
    expect(valueOf(samples, 'sms_sync_moodle_call_duration_seconds_count', ok('core_course_get_contents'))).toBe(
      COURSES - 1,
    );

    // Health, from the database at scrape time.
    const lastEnrollmentSuccess = await stores.syncRuns.latestFinished('ENROLLMENT', ['SUCCEEDED', 'PARTIAL']);
    const lastCourseRun = await stores.syncRuns.latest('COURSE');
    expect(valueOf(samples, 'sms_sync_last_success_timestamp_seconds', { kind: 'ENROLLMENT' })).toBeCloseTo(
      lastEnrollmentSuccess!.finishedAt!.getTime() / 1000,
      3,
    );
    expect(valueOf(samples, 'sms_sync_last_start_timestamp_seconds', { kind: 'COURSE' })).toBeCloseTo(
      lastCourseRun!.startedAt.getTime() / 1000,
      3,
    );
    expect(
      Object.fromEntries(
        samplesOf(samples, 'sms_sync_connection_state').map(({ labels, value }) => [labels.state, value]),
      ),
    ).toEqual({ HEALTHY: 0, DEGRADED: 1, FAILING: 0, UNKNOWN: 0 });
    expect(valueOf(samples, 'sms_sync_open_errors', { code: 'MOODLE_COURSE_INACCESSIBLE' })).toBe(1);
    expect(valueOf(samples, 'sms_sync_stale_courses')).toBe(1);
    expect(valueOf(samples, 'sms_sync_held_course_deletions')).toBe(2);

    // The Temporal SDK's own metrics, forwarded from its endpoint.
    const activityRuns = samplesOf(samples, 'temporal_activity_execution_latency_count', {
      activity_type: 'syncCourseEnrollments',
    });
    expect(activityRuns.reduce((sum, sample) => sum + sample.value, 0)).toBe(COURSES);
    expect(samples.some((sample) => sample.name === 'process_resident_memory_bytes')).toBe(true);

    expectNoSecretInLabels(samples);
    expect(text).not.toContain(TOKEN);
  });

  it('counts API requests by operation type, root field and result code, refused ones included', async () => {
    const url = api.url;
    expect((await graphql(url, '{ syncStatus { connection } }', { key: READER_KEY })).status).toBe(200);
    expect((await graphql(url, '{ syncStatus { connection } }', { key: READER_KEY })).status).toBe(200);
    expect((await graphql(url, '{ syncStatus { connection } }')).status).toBe(401);
    expect(
      errorCodes(await graphql(url, 'mutation { triggerCourseSync { workflowIds } }', { key: READER_KEY })),
    ).toEqual(['FORBIDDEN']);
    // Names the client chooses (operation names, unknown fields) never become labels.
    expect(errorCodes(await graphql(url, 'query ClientChosen_x7 { noSuchField }', { key: READER_KEY }))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    await graphql(url, '{ syncStatus { connection } courses { totalCount } }', { key: READER_KEY });

    const { text, samples } = await scrape(api.metricsUrl);

    const requests = samplesOf(samples, 'sms_api_graphql_requests_total').map(({ labels, value }) => ({
      ...labels,
      value,
    }));
    expect(requests).toEqual(
      expect.arrayContaining([
        { operation: 'query', field: 'syncStatus', code: 'ok', value: 2 },
        { operation: 'unknown', field: 'unknown', code: 'UNAUTHENTICATED', value: 1 },
        { operation: 'mutation', field: 'triggerCourseSync', code: 'FORBIDDEN', value: 1 },
        { operation: 'query', field: 'unknown', code: 'GRAPHQL_VALIDATION_FAILED', value: 1 },
        { operation: 'query', field: 'multiple', code: 'ok', value: 1 },
      ]),
    );
    expect(requests).toHaveLength(5);
    expect(
      valueOf(samples, 'sms_api_graphql_duration_seconds_count', { operation: 'query', field: 'syncStatus' }),
    ).toBe(2);
    expect(text).not.toContain('ClientChosen_x7');
    expect(text).not.toContain('noSuchField');

    // The API reports the same sync health, and none of the worker's own metrics.
    expect(valueOf(samples, 'sms_sync_connection_state', { state: 'DEGRADED' })).toBe(1);
    expect(samplesOf(samples, 'sms_sync_runs_total')).toEqual([]);
    expect(samples.some((sample) => sample.name.startsWith('temporal_'))).toBe(false);
    expectNoSecretInLabels(samples);
  });

  it("logs each course's sync with the workflow id, run id and course id", async () => {
    const logged = (message: string) => lines.filter((line) => line.msg === message);
    // The SDK forwards its log lines in batches.
    await waitUntil(() => logged('sync run finished').length === 2, 5_000);

    const synced = logged('course enrollments synced');
    expect(synced.map((line) => line.courseId).sort()).toEqual(courseIds.filter((id) => id !== denied).sort());
    for (const line of synced) {
      expect(line).toMatchObject({
        level: 30,
        component: 'temporal',
        activityType: 'syncCourseEnrollments',
        workflowId: expect.stringMatching(/^enrollment-sync-metrics-\w+-batch-1$/),
        workflowRunId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        enrollmentsChanged: expect.any(Number),
      });
    }
    expect(logged('course enrollment sync attempt failed')).toEqual([
      expect.objectContaining({
        level: 40,
        courseId: denied,
        code: 'MOODLE_COURSE_INACCESSIBLE',
        workflowRunId: expect.any(String),
      }),
    ]);
    expect(logged('course enrollments not synced')).toEqual([
      expect.objectContaining({
        courseId: denied,
        code: 'MOODLE_COURSE_INACCESSIBLE',
        workflowId: expect.stringMatching(/-batch-1$/),
      }),
    ]);
    expect(logged('sync run finished')).toEqual([
      expect.objectContaining({
        kind: 'COURSE',
        outcome: 'SUCCEEDED',
        workflowId: expect.stringMatching(/^course-sync-metrics-/),
      }),
      expect.objectContaining({
        kind: 'ENROLLMENT',
        outcome: 'PARTIAL',
        workflowId: expect.stringMatching(/^enrollment-sync-metrics-\w+$/),
        workflowRunId: expect.any(String),
      }),
    ]);
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(READER_KEY);
  });
});
