import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { createLogger } from '../../src/logger';
import { createMoodleClient, type MoodleClient } from '../../src/moodle';
import { generateSite, startMoodleSimulator, type MoodleSimulator } from '../../src/moodle-sim';
import { Secret } from '../../src/secret';
import { createStores, ensureIndexes, type Stores } from '../../src/store';
import { connectDatabase, type Database } from '../../src/store/mongo';
import { activeTracing, startTracing, type TracingHandle } from '../../src/telemetry/tracing';
import { clientInterceptors, connectClient } from '../../src/temporal/client';
import { createWorker, workerOptions } from '../../src/temporal/worker';
import { courseSyncWorkflow, enrollmentSyncWorkflow } from '../../workflows';
import { openTemporal, testConfig, uniqueName, workflowBundlePath, type TestTemporal } from '../support/environment';
import { DEFAULT_MOODLE_CLIENT_SETTINGS } from '../support/moodle-defaults';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { recordedHistories } from '../support/recorded-histories';
import { SpanTree } from '../support/span-tree';
import { studentOf } from '../support/students';
import { waitUntil } from '../support/wait';

const TOKEN = '7ace00007ace00007ace00007ace0000';
const silent = createLogger('silent');

describe('without an OTLP endpoint', () => {
  it('starts no SDK, and workers and clients get no interceptors or sinks', async () => {
    const tracing = startTracing({ serviceName: 'sms-sync' }, silent);
    expect(activeTracing()).toBeUndefined();
    expect(tracing.databaseOptions).toEqual({});
    // No provider registered: the API's tracer is the no-op one.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);

    const options = workerOptions({
      connection: {} as NativeConnection,
      namespace: 'default',
      taskQueue: 'untraced',
      activities: {} as Activities,
      workflowBundlePath: workflowBundlePath(),
    });
    expect(options.interceptors).toBeUndefined();
    expect(options.sinks).toBeUndefined();
    // The prebuilt bundle, which registers no workflow interceptors.
    expect(options.workflowBundle).toEqual({ codePath: workflowBundlePath() });
    expect(clientInterceptors(activeTracing())).toBeUndefined();
    await tracing.shutdown();
  });
});

describe('with an OTLP endpoint', () => {
  it('exports spans as OTLP/HTTP JSON to its /v1/traces, named by the service', async () => {
    const receiver = await startOtlpReceiver();
    try {
      // A trailing slash, as people write base URLs.
      const tracing = startTracing({ otlpEndpoint: `${receiver.url}/`, serviceName: 'sms-sync-probe' }, silent);
      expect(activeTracing()).toBeDefined();
      trace.getTracer('probe').startActiveSpan('probe-span', (span) => span.end());
      // Shutting down flushes what the batch holds.
      await tracing.shutdown();
      expect(activeTracing()).toBeUndefined();
      expect(receiver.requests.map(({ path, contentType }) => ({ path, contentType }))).toEqual([
        { path: '/v1/traces', contentType: 'application/json' },
      ]);
      expect(receiver.requests[0]!.body).toContain('"probe-span"');
      expect(receiver.requests[0]!.body).toContain('"sms-sync-probe"');
    } finally {
      await receiver.close();
    }
  });
});

describe('with tracing on, one enrollment sync of one course', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle;
  let temporal: TestTemporal;
  let client: Client;
  let database: Database;
  let stores: Stores;
  let sim: MoodleSimulator;
  let moodle: MoodleClient;
  let worker: Worker;
  let workerRun: Promise<void>;
  let courseId: number;
  /** The spans of the course sync that seeds the store, set aside before the enrollment sync's. */
  let courseSyncSpans: ReadableSpan[] = [];
  /** Every span exported, for the check on the token. */
  const allSpans = () => [...courseSyncSpans, ...exporter.getFinishedSpans()];
  /** Workflow spans come through the sink, and the batch exports every 5 s. */
  const exported = (name: string) =>
    waitUntil(() => exporter.getFinishedSpans().some((span) => span.name === name), 15_000);

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'sms-sync-test' }, silent, { exporter });
    const config = testConfig();
    temporal = await openTemporal(config);
    client = await connectClient(config.temporal.address, temporal.namespace);
    database = await connectDatabase(
      config.mongo.uri,
      uniqueName('sms_test').replace('-', '_'),
      tracing.databaseOptions,
    );
    tracing.traceDatabase(database.client);
    stores = createStores(database);
    await ensureIndexes(stores);
    sim = await startMoodleSimulator({
      site: generateSite({ seed: 'tracing', courses: 3, studentsPerCourse: 3, activitiesPerCourse: 3 }),
      token: TOKEN,
    });
    moodle = createMoodleClient({ ...DEFAULT_MOODLE_CLIENT_SETTINGS, url: sim.url, token: new Secret(TOKEN) });
    // Traced, so it bundles the workflows with their interceptors (some seconds).
    worker = await createWorker({
      connection: temporal.connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      activities: createActivities({ stores, moodle, now: () => new Date(), deletionGuardRatio: 0.5 }),
    });
    workerRun = worker.run();

    await client.workflow.execute(courseSyncWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId: uniqueName('course-sync-traced'),
      args: [{ trigger: 'MANUAL' }],
    });
    courseId = sim.site.courses().find((course) => course.format !== 'site')!.id;
    const now = new Date();
    for (const user of sim.site.students(courseId)) {
      const student = await stores.students.create(studentOf(user), now);
      await stores.enrollments.create({ courseId, studentId: student._id, moodleUserId: user.id }, now);
    }
    expect(await exported('RunWorkflow:courseSyncWorkflow')).toBe(true);
    courseSyncSpans = exporter.getFinishedSpans();
    exporter.reset();
  }, 120_000);

  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
    await moodle?.close();
    await sim?.close();
    await database?.db.dropDatabase();
    await database?.close();
    await client?.connection.close();
    await temporal?.close();
    await tracing?.shutdown();
  });

  let tree: SpanTree;
  const tracedRunId = uniqueName('enrollment-sync-traced');

  it('is one trace, rooted at the client that started it', async () => {
    await client.workflow.execute(enrollmentSyncWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId: tracedRunId,
      args: [{ trigger: 'MANUAL', courseIds: [courseId] }],
    });
    expect(await exported('RunWorkflow:enrollmentSyncWorkflow')).toBe(true);
    tree = new SpanTree(exporter.getFinishedSpans());

    const [root, ...otherRoots] = tree.spans.filter((span) => span.parentSpanId === undefined);
    expect(otherRoots).toEqual([]);
    expect(root?.name).toBe('StartWorkflow:enrollmentSyncWorkflow');
    expect(new Set(tree.spans.map((span) => span.spanContext().traceId))).toEqual(
      new Set([root!.spanContext().traceId]),
    );
    // No span lost its parent on the way through the sandbox, the sink and the activity headers.
    expect(tree.spans.filter((span) => tree.path(span)[0] !== root!.name)).toEqual([]);
  });

  it('goes from the workflow through the batch to the activity of the course', () => {
    expect(tree.path(tree.only('RunActivity:syncCourseEnrollments'))).toEqual([
      'StartWorkflow:enrollmentSyncWorkflow',
      'RunWorkflow:enrollmentSyncWorkflow',
      'StartChildWorkflow:enrollmentSyncBatchWorkflow',
      'RunWorkflow:enrollmentSyncBatchWorkflow',
      'StartActivity:syncCourseEnrollments',
      'RunActivity:syncCourseEnrollments',
    ]);
    expect(tree.path(tree.only('RunActivity:preflightEnrollmentSync'))).toEqual([
      'StartWorkflow:enrollmentSyncWorkflow',
      'RunWorkflow:enrollmentSyncWorkflow',
      'StartActivity:preflightEnrollmentSync',
      'RunActivity:preflightEnrollmentSync',
    ]);
  });

  it("puts each Moodle call and database command of the activity under the activity's span", () => {
    const children = tree.children(tree.only('RunActivity:syncCourseEnrollments'));
    const moodleCalls = children.filter((span) => span.name === 'POST');
    expect(
      moodleCalls.map((span) => new URLSearchParams(String(span.attributes['url.query'])).get('wsfunction')),
    ).toEqual(expect.arrayContaining(['core_course_get_contents', 'gradereport_user_get_grade_items']));
    for (const call of moodleCalls) {
      expect(call.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webservice\/rest\/server\.php\?/);
      expect(call.attributes['http.response.status_code']).toBe(200);
    }
    const commands = children.filter((span) => span.name.startsWith('mongodb.'));
    expect(commands.map((span) => `${span.name} ${String(span.attributes['db.mongodb.collection'])}`)).toEqual(
      // The writes are bulk `updateOne`s: one `update` command per collection for this small course.
      expect.arrayContaining(['mongodb.find enrollments', 'mongodb.update report_cards', 'mongodb.update enrollments']),
    );
    expect(
      tree.children(tree.only('RunActivity:preflightEnrollmentSync')).map((span) => span.attributes['url.query']),
    ).toEqual([expect.stringContaining('wsfunction=core_webservice_get_site_info')]);
  });

  it('never carries the token, the request body or a header', () => {
    // Not vacuous: the Moodle calls, whose bodies carry the token, are among the spans.
    expect(allSpans().filter((span) => span.attributes['url.full'] !== undefined).length).toBeGreaterThan(2);
    const texts = new SpanTree(allSpans()).texts();
    expect(texts.filter((text) => text.includes(TOKEN))).toEqual([]);
    expect(texts.filter((text) => /wstoken|authorization/i.test(text))).toEqual([]);
  });

  // So that tracing can be turned on while untraced runs are in flight.
  it('lets a traced worker replay the recorded histories of untraced runs', async () => {
    const { workflowsPath, interceptors, sinks } = workerOptions({
      connection: temporal.connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      activities: {} as Activities,
    });
    expect(interceptors?.workflowModules).toHaveLength(1);
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath, interceptors, sinks }, recordedHistories())) {
      results.push({ workflowId: result.workflowId, error: result.error?.message });
    }
    expect(results).toHaveLength(4);
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
  }, 60_000);

  // And off again: the interceptors add headers and spans, never commands.
  it('lets an untraced worker replay the histories of a traced run', async () => {
    const histories = [];
    for (const workflowId of [tracedRunId, `${tracedRunId}-batch-1`]) {
      histories.push({ workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() });
    }
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: workflowBundlePath() } },
      histories,
    )) {
      results.push({ workflowId: result.workflowId, error: result.error?.message });
    }
    expect(results).toEqual(histories.map(({ workflowId }) => ({ workflowId, error: undefined })));
  });
});
