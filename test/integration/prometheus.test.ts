import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { generateApiKey, hashApiKey } from '../../src/api/auth';
import { loadConfig } from '../../src/config';
import { ALERT_RULES_FILE, seedDemoEnrollments } from '../../src/local/dev-stack';
import { startPrometheus, type LocalPrometheus } from '../../src/local/prometheus';
import { createLogger } from '../../src/logger';
import { generateSite, type MoodleSimulator } from '../../src/moodle-sim';
import type { ApiService } from '../../src/services/api';
import type { Connections, ServiceConfig } from '../../src/services/connections';
import type { RunningWorker } from '../../src/services/worker';
import { courseSyncWorkflow, enrollmentSyncWorkflow } from '../../workflows';
import { uniqueName } from '../support/environment';
import { graphql } from '../support/graphql';
import { startMeteredServices, type MeteredServices } from '../support/metered-services';
import {
  eventually,
  findPrometheus,
  prometheusApi,
  type PrometheusApi,
  type VectorSample,
} from '../support/prometheus-api';

const TOKEN = '5b9e0d4f5b9e0d4f5b9e0d4f5b9e0d4f';
const COURSES = 4;
const READER_KEY = generateApiKey();
/** Scrapes and rule evaluations every second, so that each change shows within a few. */
const INTERVAL_SECONDS = 1;
/**
 * How long each check waits for Prometheus to see a change: a few scrapes and evaluations, with room for CI.
 * Prometheus applies its targets at most every 5 s, so its first scrapes come about 5 s after its start.
 */
const SEEN_WITHIN_MS = 10_000;
/** Each step's bound: room for its own work and one check that waits out SEEN_WITHIN_MS, then a clear failure. */
const STEP_TIMEOUT_MS = 15_000;
const JOBS = { worker: 'sms-sync-worker', api: 'sms-sync-api' };

interface AlertRulesFile {
  groups: { name: string; rules: { alert: string }[] }[];
}

/** The job and the value of each sample, in a stable order, for comparing whole answers. */
const byJob = (samples: readonly VectorSample[], ...labels: string[]) =>
  samples
    .map(({ metric, value }) => ({ job: metric.job, ...Object.fromEntries(labels.map((l) => [l, metric[l]])), value }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The folder a running Prometheus keeps its data in, as its command line names it. */
function dataFolderOf(pid: number): string {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const flag = '--storage.tsdb.path=';
  const data = args.find((arg) => arg.startsWith(flag))?.slice(flag.length);
  if (data === undefined) throw new Error(`no --storage.tsdb.path in Prometheus' command line: ${args.join(' ')}`);
  return path.dirname(data);
}

/**
 * The worker and the API as `sms-sync worker` and `sms-sync api` start them (WORKER_METRICS_PORT and
 * API_METRICS_PORT 0), as metrics.test.ts does, on a Temporal dev server of this file's own (the worker ensures
 * the schedules), and a real Prometheus on loopback scraping both with the alert rules ops deploy
 * (ops/prometheus/alerts.yml). metrics.test.ts reads each /metrics as text; this checks that Prometheus itself
 * accepts both scrapes and stores the figures under the names, labels and values that the alert rules and the
 * dashboard query, and that an alert fires from them.
 */
describe('Prometheus scraping the worker and the API', () => {
  let stack: MeteredServices;
  let sim: MoodleSimulator;
  let config: ServiceConfig;
  let workerConnections: Connections;
  let worker: RunningWorker;
  let api: ApiService;
  let prometheus: LocalPrometheus;
  let prom: PrometheusApi;
  let prometheusData: string;

  beforeAll(async () => {
    // First, before anything is started: a missing Prometheus fails with what to install.
    const binary = findPrometheus(loadConfig().tools.prometheusPath);
    stack = await startMeteredServices({
      name: 'prometheus',
      site: generateSite({ seed: 'prometheus', courses: COURSES, studentsPerCourse: 3, activitiesPerCourse: 3 }),
      token: TOKEN,
      apiKeys: `reader:${hashApiKey(READER_KEY)}`,
      log: createLogger('warn', { role: 'test' }, { write: () => {} }),
    });
    ({ sim, config, workerConnections, worker, api } = stack);
    // The targets as `sms-sync dev --prometheus` builds them from the two metrics URLs.
    prometheus = await startPrometheus({
      binary,
      targets: [
        { job: JOBS.worker, address: new URL(worker.metricsUrl!).host },
        { job: JOBS.api, address: new URL(api.metricsUrl!).host },
      ],
      ruleFiles: [ALERT_RULES_FILE],
      intervalSeconds: INTERVAL_SECONDS,
      readyTimeoutMs: 15_000,
    });
    prom = prometheusApi(prometheus.url);
    prometheusData = dataFolderOf(prometheus.process.pid);
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.close();
  });

  const manualRun = (prefix: string) => ({
    taskQueue: config.temporal.taskQueue,
    workflowId: uniqueName(prefix),
    args: [{ trigger: 'MANUAL' as const }] as [{ trigger: 'MANUAL' }],
  });

  it(
    'runs on loopback and scrapes both processes',
    async () => {
      expect(prometheus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const targets = await eventually(async () => {
        const active = await prom.targets();
        const seen = active.map(({ labels, health, lastError }) => ({ job: labels.job, health, lastError }));
        expect(seen.sort((a, b) => a.job!.localeCompare(b.job!))).toEqual([
          { job: JOBS.api, health: 'up', lastError: '' },
          { job: JOBS.worker, health: 'up', lastError: '' },
        ]);
        return active;
      }, SEEN_WITHIN_MS);
      expect(targets.map((target) => target.scrapeUrl).sort()).toEqual([api.metricsUrl, worker.metricsUrl].sort());
      expect(byJob(await prom.query('up'))).toEqual([
        { job: JOBS.api, value: 1 },
        { job: JOBS.worker, value: 1 },
      ]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'loads every alert rule of ops/prometheus/alerts.yml and evaluates each without error',
    async () => {
      const expected = (parseYaml(readFileSync(ALERT_RULES_FILE, 'utf8')) as AlertRulesFile).groups.map((group) => ({
        name: group.name,
        file: ALERT_RULES_FILE,
        rules: group.rules.map((rule) => ({ name: rule.alert, type: 'alerting', health: 'ok', lastError: '' })),
      }));
      expect(expected.flatMap((group) => group.rules).length).toBeGreaterThan(0);
      // A rule's health is `unknown` until its first evaluation.
      await eventually(async () => {
        const groups = await prom.ruleGroups();
        expect(
          groups.map(({ name, file, rules }) => ({
            name,
            file,
            rules: rules.map(({ name: rule, type, health, lastError }) => ({
              name: rule,
              type,
              health,
              lastError: lastError ?? '',
            })),
          })),
        ).toEqual(expected);
      }, SEEN_WITHIN_MS);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'stores the figures of a course sync and of a clean and a PARTIAL enrollment sync, from the right jobs',
    async () => {
      const { temporal, stores } = workerConnections;
      const courseSync = await temporal.workflow.execute(courseSyncWorkflow, manualRun('course-sync-prometheus'));
      const courseSyncReturnedAt = Date.now() / 1000;
      expect(courseSync.counts.coursesNew).toBe(COURSES);
      const seeded = await seedDemoEnrollments(stores, sim.site, new Date());
      expect(seeded.coursesOpened).toBe(COURSES - 1);

      const clean = await temporal.workflow.execute(enrollmentSyncWorkflow, manualRun('enrollment-sync-clean'));
      expect(clean.outcome).toBe('SUCCEEDED');
      const denied = (await stores.courses.all()).find((course) => course.state === 'OPEN')!.moodleId;
      sim.site.denyCourseAccess(denied);
      const partial = await temporal.workflow.execute(enrollmentSyncWorkflow, manualRun('enrollment-sync-partial'));
      expect(partial).toMatchObject({ outcome: 'PARTIAL', counts: { coursesFailed: 1 } });
      const moodleCalls = sim.calls.byFunction();

      // Counters: the worker's only.
      const runs = (kind: string, outcome: string) =>
        `sms_sync_runs_total{kind="${kind}",trigger="MANUAL",outcome="${outcome}"}`;
      await eventually(async () => {
        expect(byJob(await prom.query(runs('ENROLLMENT', 'PARTIAL')))).toEqual([{ job: JOBS.worker, value: 1 }]);
      }, SEEN_WITHIN_MS);
      expect(byJob(await prom.query(runs('ENROLLMENT', 'SUCCEEDED')))).toEqual([{ job: JOBS.worker, value: 1 }]);
      expect(byJob(await prom.query(runs('COURSE', 'SUCCEEDED')))).toEqual([{ job: JOBS.worker, value: 1 }]);
      expect(byJob(await prom.query('sms_sync_courses_total'), 'result')).toEqual([
        { job: JOBS.worker, result: 'failed', value: partial.counts.coursesFailed },
        { job: JOBS.worker, result: 'synced', value: clean.counts.coursesSynced + partial.counts.coursesSynced },
      ]);
      expect(clean.counts.coursesSynced).toBe(COURSES - 1);
      expect(byJob(await prom.query('sms_sync_enrollments_total{result="changed"}'))).toEqual([
        { job: JOBS.worker, value: clean.counts.enrollmentsChanged + partial.counts.enrollmentsChanged },
      ]);

      // Every Moodle call the simulator answered, counted by the histogram of each wsfunction.
      expect(
        byJob(await prom.query('sum by (job, wsfunction) (sms_sync_moodle_call_duration_seconds_count)'), 'wsfunction'),
      ).toEqual(
        Object.entries(moodleCalls)
          .map(([wsfunction, value]) => ({ job: JOBS.worker, wsfunction, value }))
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      );
      const listed = await prom.query(
        'sms_sync_moodle_call_duration_seconds_count{wsfunction="core_course_get_courses"}',
      );
      expect(listed.map(({ value }) => value)).toEqual([1]);

      // Health gauges, read from the database at scrape time by both processes.
      const lastCourseSuccess = await stores.syncRuns.latestFinished('COURSE', ['SUCCEEDED']);
      const finishedAt = lastCourseSuccess!.finishedAt!.getTime() / 1000;
      expect(finishedAt).toBeGreaterThan(courseSyncReturnedAt - 5);
      expect(finishedAt).toBeLessThanOrEqual(courseSyncReturnedAt);
      await eventually(async () => {
        expect(byJob(await prom.query('sms_sync_last_success_timestamp_seconds{kind="COURSE"}'))).toEqual([
          { job: JOBS.api, value: expect.closeTo(finishedAt, 3) },
          { job: JOBS.worker, value: expect.closeTo(finishedAt, 3) },
        ]);
      }, SEEN_WITHIN_MS);
      await eventually(async () => {
        expect(byJob(await prom.query('sms_sync_connection_state == 1'), 'state')).toEqual([
          { job: JOBS.api, state: 'DEGRADED', value: 1 },
          { job: JOBS.worker, state: 'DEGRADED', value: 1 },
        ]);
      }, SEEN_WITHIN_MS);
      // The rule over it is pending for its hour: evaluated on what was scraped.
      await eventually(async () => {
        expect((await prom.alerts()).map(({ labels, state }) => ({ alertname: labels.alertname, state }))).toEqual([
          { alertname: 'SmsSyncDegraded', state: 'pending' },
        ]);
      }, SEEN_WITHIN_MS);

      // The Temporal SDK's own metrics come through the worker's endpoint, and only through it.
      expect(
        byJob(
          await prom.query(
            'sum by (job) (temporal_activity_execution_latency_count{activity_type="syncCourseEnrollments"})',
          ),
        ),
      ).toEqual([{ job: JOBS.worker, value: 2 * (COURSES - 1) }]);
      expect(byJob(await prom.query('count by (job) ({__name__=~"temporal_.+"})')).map(({ job }) => job)).toEqual([
        JOBS.worker,
      ]);
    },
    2 * STEP_TIMEOUT_MS,
  );

  it(
    "counts the API's GraphQL requests",
    async () => {
      expect((await graphql(api.url, '{ syncStatus { connection } }', { key: READER_KEY })).status).toBe(200);
      await eventually(async () => {
        expect(byJob(await prom.query('sms_api_graphql_requests_total'), 'operation', 'field', 'code')).toEqual([
          { job: JOBS.api, operation: 'query', field: 'syncStatus', code: 'ok', value: 1 },
        ]);
      }, SEEN_WITHIN_MS);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'fires SmsSyncMoodlePermissionDenied once Moodle refuses the token',
    async () => {
      sim.site.revokeToken();
      try {
        const failure = await workerConnections.temporal.workflow
          .execute(courseSyncWorkflow, manualRun('course-sync-revoked'))
          .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(WorkflowFailedError);
      } finally {
        sim.site.restoreToken();
      }
      // The rule has no `for`: it fires at the first evaluation after the scrape that brought the error.
      const firing = await eventually(async () => {
        const alerts = (await prom.alerts()).filter(
          (alert) => alert.labels.alertname === 'SmsSyncMoodlePermissionDenied',
        );
        expect(alerts.map(({ state }) => state)).toEqual(['firing']);
        return alerts[0]!;
      }, SEEN_WITHIN_MS);
      expect(firing.labels).toEqual({
        alertname: 'SmsSyncMoodlePermissionDenied',
        wsfunction: 'core_webservice_get_site_info',
        kind: 'invalid-token',
        severity: 'page',
        reason: 'moodle-call-errors',
      });
      expect(firing.annotations.summary).toBe('Moodle refuses core_webservice_get_site_info: invalid-token');
      expect(byJob(await prom.query('sms_sync_runs_total{kind="COURSE",trigger="MANUAL",outcome="FAILED"}'))).toEqual([
        { job: JOBS.worker, value: 1 },
      ]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'stops, and takes its data folder with it',
    async () => {
      expect(prometheusData.startsWith(path.join(tmpdir(), 'sms-prometheus-'))).toBe(true);
      expect(existsSync(prometheusData)).toBe(true);
      await prometheus.stop();
      expect(existsSync(prometheusData)).toBe(false);
      await expect(fetch(`${prometheus.url}/-/ready`)).rejects.toThrow();
    },
    STEP_TIMEOUT_MS,
  );
});
