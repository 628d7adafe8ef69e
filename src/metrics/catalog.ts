/**
 * Every metric sms-sync exports, by name: the one list that the exporters register, the alert rules
 * (ops/prometheus/) and the dashboard (ops/grafana/) are checked against. Labels stay bounded: a sync
 * kind, an outcome, a Moodle function or error kind, an error code — never a course, student or URL.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  /** Who exports it: the worker, the API, or both (figures read from MongoDB at scrape time). */
  readonly exportedBy: readonly ('worker' | 'api')[];
}

const both = ['worker', 'api'] as const;

export const METRICS = {
  // What the runs did, counted by the worker that ran them when each run ends.
  syncRuns: {
    name: 'sms_sync_runs_total',
    type: 'counter',
    help:
      'Sync runs finished, by kind (COURSE, ENROLLMENT), trigger (SCHEDULE, MANUAL, REPLAY, MOODLE_EVENT) and outcome ' +
      '(SUCCEEDED, PARTIAL, FAILED).',
    labels: ['kind', 'trigger', 'outcome'],
    exportedBy: ['worker'],
  },
  syncRunDuration: {
    name: 'sms_sync_run_duration_seconds',
    type: 'histogram',
    help: 'Time from a sync run starting to it being recorded as finished, by kind and outcome.',
    labels: ['kind', 'outcome'],
    exportedBy: ['worker'],
  },
  coursesSynced: {
    name: 'sms_sync_courses_total',
    type: 'counter',
    help: 'Courses an enrollment sync finished, by result (synced, failed).',
    labels: ['result'],
    exportedBy: ['worker'],
  },
  courseFailures: {
    name: 'sms_sync_course_failures_total',
    type: 'counter',
    help: 'Courses an enrollment sync could not sync, by sync error code (e.g. MOODLE_COURSE_NOT_FOUND).',
    labels: ['code'],
    exportedBy: ['worker'],
  },
  enrollments: {
    name: 'sms_sync_enrollments_total',
    type: 'counter',
    help: 'Enrollments an enrollment sync wrote, by result (changed, failed).',
    labels: ['result'],
    exportedBy: ['worker'],
  },
  moodleCallDuration: {
    name: 'sms_sync_moodle_call_duration_seconds',
    type: 'histogram',
    help: 'Moodle web-service calls, by wsfunction and result (ok, or the Moodle error kind).',
    labels: ['wsfunction', 'result'],
    exportedBy: both,
  },
  moodleCallErrors: {
    name: 'sms_sync_moodle_call_errors_total',
    type: 'counter',
    help: 'Failed Moodle web-service calls, by wsfunction and error kind (invalid-token, function-not-allowed, …).',
    labels: ['wsfunction', 'kind'],
    exportedBy: both,
  },

  // Sync health, read from MongoDB at scrape time, so every process tells the same truth after a restart.
  lastSuccess: {
    name: 'sms_sync_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'When the latest SUCCEEDED or PARTIAL run of each kind finished (Unix seconds; absent before the first).',
    labels: ['kind'],
    exportedBy: both,
  },
  lastStart: {
    name: 'sms_sync_last_start_timestamp_seconds',
    type: 'gauge',
    help: 'When the latest run of each kind started, whatever its outcome (Unix seconds; absent before the first).',
    labels: ['kind'],
    exportedBy: both,
  },
  connectionState: {
    name: 'sms_sync_connection_state',
    type: 'gauge',
    help:
      'The SMS connection state, one series per state: 1 for the current one ' +
      '(HEALTHY, DEGRADED, FAILING, UNKNOWN).',
    labels: ['state'],
    exportedBy: both,
  },
  openErrors: {
    name: 'sms_sync_open_errors',
    type: 'gauge',
    help:
      'Open sync errors of courses and enrollments, by code: what the technician has to fix ' +
      "(a failed run's own error shows in sms_sync_connection_state).",
    labels: ['code'],
    exportedBy: both,
  },
  staleCourses: {
    name: 'sms_sync_stale_courses',
    type: 'gauge',
    help: 'OPEN courses with enrollments whose data is older than two enrollment-sync intervals.',
    labels: [],
    exportedBy: both,
  },
  heldDeletions: {
    name: 'sms_sync_held_course_deletions',
    type: 'gauge',
    help: 'Course deletions the course sync held back, waiting for an admin to confirm them.',
    labels: [],
    exportedBy: both,
  },

  // Moodle's events (POST /hooks/moodle): a flood, a wrong secret or a forwarder gone quiet shows here.
  moodleEvents: {
    name: 'sms_api_moodle_events_total',
    type: 'counter',
    help:
      'Moodle events answered, by the work they ask (COURSE_GRADES, COURSE_LIST, TEST, NONE, UNKNOWN before ' +
      'the body was read) and outcome (queued, ignored, test, refused) with the HTTP status.',
    labels: ['work', 'outcome', 'status'],
    exportedBy: ['api'],
  },

  // The API, per root field (bounded by the schema) rather than the client-chosen operation name.
  apiRequests: {
    name: 'sms_api_graphql_requests_total',
    type: 'counter',
    help: 'GraphQL operations answered, by operation type, root field and result code (ok, or the error code).',
    labels: ['operation', 'field', 'code'],
    exportedBy: ['api'],
  },
  apiDuration: {
    name: 'sms_api_graphql_duration_seconds',
    type: 'histogram',
    help: 'Time to answer a GraphQL operation, by operation type and root field.',
    labels: ['operation', 'field'],
    exportedBy: ['api'],
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;
