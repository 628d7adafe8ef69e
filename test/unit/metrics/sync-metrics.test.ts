import { createServiceMetrics } from '../../../src/metrics/registry';
import { COUNTED_RESULTS, createSyncMetrics, type FinishedSyncRun } from '../../../src/metrics/sync-metrics';
import type { EnrollmentSyncCounts } from '../../../workflows/enrollment-sync';
import { parsePrometheusText, valueOf, type Sample } from '../../support/prometheus-text';

// The recorder reads the workflow's counts by name: a renamed count fails to compile here.
const COUNT_KEYS: readonly (keyof EnrollmentSyncCounts)[] = COUNTED_RESULTS.map((counted) => counted.count);

const STARTED = new Date('2026-03-02T10:00:00Z');

function enrollmentRun(overrides: Partial<FinishedSyncRun> = {}): FinishedSyncRun {
  const counts: EnrollmentSyncCounts = {
    coursesToSync: 10,
    coursesSynced: 7,
    coursesFailed: 3,
    coursesDenied: 2,
    coursesMissing: 1,
    coursesGradesHidden: 1,
    coursesPerStudent: 2,
    coursesBusy: 0,
    enrollmentsChanged: 40,
    enrollmentsUnchanged: 200,
    enrollmentsFailed: 5,
  };
  return {
    kind: 'ENROLLMENT',
    trigger: 'SCHEDULE',
    outcome: 'PARTIAL',
    counts: { ...counts },
    startedAt: STARTED,
    finishedAt: new Date(STARTED.getTime() + 90_000),
    ...overrides,
  };
}

describe('the sync metrics recorder', () => {
  async function scrape(record: (metrics: ReturnType<typeof createSyncMetrics>) => void): Promise<Sample[]> {
    const metrics = createServiceMetrics('worker');
    record(createSyncMetrics(metrics));
    return parsePrometheusText(await metrics.registry.metrics());
  }

  it('maps a finished run to its run, duration, course and enrollment series', async () => {
    const samples = await scrape((sync) => {
      sync.runFinished(enrollmentRun());
      sync.runFinished(enrollmentRun({ outcome: 'SUCCEEDED', counts: { coursesSynced: 10, enrollmentsChanged: 2 } }));
    });

    const run = { kind: 'ENROLLMENT', trigger: 'SCHEDULE' };
    expect(valueOf(samples, 'sms_sync_runs_total', { ...run, outcome: 'PARTIAL' })).toBe(1);
    expect(valueOf(samples, 'sms_sync_runs_total', { ...run, outcome: 'SUCCEEDED' })).toBe(1);
    expect(valueOf(samples, 'sms_sync_courses_total', { result: 'synced' })).toBe(17);
    expect(valueOf(samples, 'sms_sync_courses_total', { result: 'failed' })).toBe(3);
    expect(valueOf(samples, 'sms_sync_enrollments_total', { result: 'changed' })).toBe(42);
    expect(valueOf(samples, 'sms_sync_enrollments_total', { result: 'failed' })).toBe(5);
    const duration = { kind: 'ENROLLMENT', outcome: 'PARTIAL' };
    expect(valueOf(samples, 'sms_sync_run_duration_seconds_sum', duration)).toBe(90);
    expect(valueOf(samples, 'sms_sync_run_duration_seconds_count', duration)).toBe(1);
    expect(valueOf(samples, 'sms_sync_run_duration_seconds_bucket', { ...duration, le: '60' })).toBe(0);
    expect(valueOf(samples, 'sms_sync_run_duration_seconds_bucket', { ...duration, le: '120' })).toBe(1);
    expect(COUNT_KEYS).toEqual(['coursesSynced', 'coursesFailed', 'enrollmentsChanged', 'enrollmentsFailed']);
  });

  it('counts a course sync as a run only, and a failed course by its code', async () => {
    const samples = await scrape((sync) => {
      sync.runFinished({
        kind: 'COURSE',
        trigger: 'MANUAL',
        outcome: 'FAILED',
        counts: { coursesSeen: 12, coursesNew: 12 },
        startedAt: STARTED,
        finishedAt: STARTED,
      });
      sync.courseFailed('MOODLE_COURSE_NOT_FOUND');
      sync.courseFailed('MOODLE_COURSE_NOT_FOUND');
      sync.courseFailed('MOODLE_COURSE_INACCESSIBLE');
    });

    expect(valueOf(samples, 'sms_sync_runs_total', { kind: 'COURSE', trigger: 'MANUAL', outcome: 'FAILED' })).toBe(1);
    expect(valueOf(samples, 'sms_sync_courses_total', { result: 'synced' })).toBe(0);
    expect(valueOf(samples, 'sms_sync_course_failures_total', { code: 'MOODLE_COURSE_NOT_FOUND' })).toBe(2);
    expect(valueOf(samples, 'sms_sync_course_failures_total', { code: 'MOODLE_COURSE_INACCESSIBLE' })).toBe(1);
  });

  it('starts every run series at zero, so that the first failure is an increase', async () => {
    const samples = await scrape(() => {});
    const runs = samples.filter((sample) => sample.name === 'sms_sync_runs_total');
    // Kinds × triggers (SCHEDULE, MANUAL, REPLAY, MOODLE_EVENT) × outcomes.
    expect(runs).toHaveLength(2 * 4 * 3);
    expect(runs.every((sample) => sample.value === 0)).toBe(true);
    expect(
      valueOf(samples, 'sms_sync_runs_total', { kind: 'ENROLLMENT', trigger: 'MOODLE_EVENT', outcome: 'FAILED' }),
    ).toBe(0);
    expect(valueOf(samples, 'sms_sync_enrollments_total', { result: 'failed' })).toBe(0);
  });
});

describe('a registry', () => {
  const typeNames = (text: string) => [...text.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]!);
  const ownNames = (text: string) =>
    typeNames(text)
      .filter((name) => name.startsWith('sms_'))
      .sort();

  it("holds the catalog metrics of its role and prom-client's process metrics, and nothing else", async () => {
    const worker = await createServiceMetrics('worker').registry.metrics();
    const api = createServiceMetrics('api');
    const apiText = await api.registry.metrics();

    for (const text of [worker, apiText]) {
      expect(typeNames(text).filter((name) => !/^(sms|process|nodejs)_/.test(name))).toEqual([]);
      expect(typeNames(text)).toContain('process_resident_memory_bytes');
    }
    const health = [
      'sms_sync_connection_state',
      'sms_sync_held_course_deletions',
      'sms_sync_last_start_timestamp_seconds',
      'sms_sync_last_success_timestamp_seconds',
      'sms_sync_moodle_call_duration_seconds',
      'sms_sync_moodle_call_errors_total',
      'sms_sync_open_errors',
      'sms_sync_stale_courses',
    ];
    expect(ownNames(apiText)).toEqual([
      'sms_api_graphql_duration_seconds',
      'sms_api_graphql_requests_total',
      'sms_api_moodle_events_total',
      ...health,
    ]);
    expect(ownNames(worker)).toEqual(
      [
        ...health,
        'sms_sync_course_failures_total',
        'sms_sync_courses_total',
        'sms_sync_enrollments_total',
        'sms_sync_run_duration_seconds',
        'sms_sync_runs_total',
      ].sort(),
    );
    expect(() => api.counter('syncRuns')).toThrow('sms_sync_runs_total is not exported by the api');
  });
});
