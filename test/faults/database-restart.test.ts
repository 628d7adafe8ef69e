import { request } from 'undici';
import { loadConfig } from '../../src/config';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/local/services';
import { resolveTool } from '../../src/local/tools';
import { generateSite } from '../../src/moodle-sim';
import { enrollmentSyncWorkflow } from '../../workflows';
import { uniqueName } from '../support/environment';
import { expectEnrollmentsFromModel } from '../support/enrollments-from-model';
import { errorCodes, type GraphQLResponse } from '../support/graphql';
import { startRestartableStore, type RestartableStore } from '../support/restartable-servers';
import { expectRunToldEverywhere } from '../support/run-truth';
import { enrollEveryStudent, startServiceStack, type ServiceStack } from '../support/service-stack';

const TOKEN = 'db5e7a12db5e7a12db5e7a12db5e7a12';
const COURSES = 12;
/** Each Moodle answer takes this long, so that the sync is surely in flight when the database dies. */
const MOODLE_LATENCY_MS = 700;
/**
 * How long FerretDB stays down: well inside a course's retry budget (MOODLE_ACTIVITY_RETRY in
 * workflows/settings.ts: 6 attempts, started 1, 2, 4, 8 and 16 s after the previous one failed, so at
 * least 31 s of outage when every attempt is refused at once, and up to about 90 s when each waits the
 * driver's 10 s for the server, serverSelectionTimeoutMS in src/store/mongo.ts). Bookkeeping activities
 * retry without limit.
 */
const OUTAGE_MS = 8_000;
/** The API is asked again this far into the outage, when the driver no longer holds pooled connections. */
const LATER_PROBE_MS = 2_000;
/** The API answers a read it cannot serve within this, rather than hanging. */
const API_ANSWER_BOUND_MS = 15_000;
const TUNING = { concurrency: 2, batchSize: 4, heartbeatTimeoutMs: 5_000 };

const READ_ENROLLMENTS = '{ enrollments(first: 100) { edges { node { id progress { percent } } } } }';
const READ_COURSES = '{ courses(first: 50) { edges { node { id state } } } }';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a client must never be shown of the database: its driver's, server's or network's words. */
const INTERNALS = /mongo|ferret|postgres|127\.0\.0\.1|localhost|ECONN|socket|selection|topology|stack|at \w+ \(/i;

/**
 * Fault row "Database restarted": an embedded store of this file's own, whose FerretDB is killed with
 * SIGKILL in the middle of an enrollment sync and started again on the same port 8 s later. The
 * worker and the API (as `sms-sync worker` and `sms-sync api` start them) are not told anything.
 */
describe('database restarted in the middle of an enrollment sync', () => {
  let store: RestartableStore;
  let temporal: TemporalDevServer;
  let stack: ServiceStack;
  let enrollments: number;

  beforeAll(async () => {
    const config = loadConfig();
    [store, temporal] = await Promise.all([
      startRestartableStore(config),
      startTemporalDevServer({ binary: resolveTool('temporal', config), namespace: config.temporal.namespace }),
    ]);
    stack = await startServiceStack({
      temporalAddress: temporal.address,
      mongoUri: store.uri,
      site: generateSite({ seed: 'database-restart', courses: COURSES, studentsPerCourse: 5, activitiesPerCourse: 5 }),
      token: TOKEN,
      name: 'database_restart',
    });
    ({ enrollments } = await enrollEveryStudent(stack));
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await Promise.all([store?.stop(), temporal?.stop()]);
  });

  async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const start = Date.now();
    const value = await work();
    return { value, ms: Date.now() - start };
  }

  function expectUnavailable(response: GraphQLResponse, ms: number): void {
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['DATABASE_UNAVAILABLE']);
    expect(response.body.data ?? null).toBeNull();
    expect(response.text).not.toMatch(INTERNALS);
    expect(response.text).not.toContain(String(new URL(store.uri).port));
    expect(ms).toBeLessThan(API_ANSWER_BOUND_MS);
  }

  /** The last failure of every course attempt that was retried, from the batches' histories. */
  async function retriedCourseAttempts(workflowId: string): Promise<{ attempt: number; failure: string }[]> {
    const batches = Math.ceil(COURSES / TUNING.batchSize);
    const histories = await Promise.all(
      Array.from({ length: batches }, (_, index) =>
        stack.connections.temporal.workflow.getHandle(`${workflowId}-batch-${index + 1}`).fetchHistory(),
      ),
    );
    return histories.flatMap((history) =>
      (history.events ?? []).flatMap(({ activityTaskStartedEventAttributes: started }) =>
        started && (started.attempt ?? 1) > 1
          ? [{ attempt: started.attempt!, failure: started.lastFailure?.message ?? '' }]
          : [],
      ),
    );
  }

  it('retries the failed database calls once it is back and finishes, and the API answers 503 meanwhile', async () => {
    const { stores, temporal: client } = stack.connections;
    const writtenSince = (since: Date) => stores.enrollments.collection.countDocuments({ updatedAt: { $gt: since } });
    stack.sim.faults.set({ latencyMs: MOODLE_LATENCY_MS });
    const startedAt = new Date();
    const workflowId = uniqueName('enrollment-sync-database-restart');
    const handle = await client.workflow.start(enrollmentSyncWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId,
      args: [{ trigger: 'MANUAL', ...TUNING }],
    });
    for (const deadline = Date.now() + 30_000; (await writtenSince(startedAt)) === 0; await sleep(50)) {
      if (Date.now() > deadline) throw new Error('no course was written within 30 s');
    }
    const writtenAtKill = await writtenSince(startedAt);
    expect(writtenAtKill).toBeLessThan(enrollments);

    await store.kill();
    const killedAt = Date.now();
    // At once, as its pooled connections break, and again later in the outage.
    const [atOnce, atOnceCourses] = await Promise.all([
      timed(() => stack.read(READ_ENROLLMENTS)),
      timed(() => stack.read(READ_COURSES)),
    ]);
    await sleep(LATER_PROBE_MS - (Date.now() - killedAt));
    const [later, ready] = await Promise.all([
      timed(() => stack.read(READ_ENROLLMENTS)),
      timed(() => request(`${stack.api.url}/health/ready`).then((response) => response.statusCode)),
    ]);
    for (const { value, ms } of [atOnce, atOnceCourses, later]) expectUnavailable(value, ms);
    expect(ready.value).toBe(503);

    await sleep(OUTAGE_MS - (Date.now() - killedAt));
    await store.restart();
    const backAt = new Date();
    const outageMs = backAt.getTime() - killedAt;
    // Recovered without restarting anything: the driver finds the server back by itself.
    const recovered = await timed(async () => {
      for (const deadline = Date.now() + API_ANSWER_BOUND_MS; ; await sleep(200)) {
        const response = await stack.read<{ enrollments: { edges: unknown[] } }>(READ_ENROLLMENTS);
        if (response.status === 200) return response;
        if (Date.now() > deadline) throw new Error(`the API still answers ${response.status} after the restart`);
      }
    });
    expect(recovered.value.body.errors).toBeUndefined();
    expect(recovered.value.body.data?.enrollments.edges).toHaveLength(enrollments);

    const result = await handle.result();
    const finishMs = Date.now() - backAt.getTime();
    stack.sim.faults.reset();
    const retried = await retriedCourseAttempts(workflowId);
    console.info(
      `FerretDB down ${outageMs} ms (killed with ${writtenAtKill}/${enrollments} enrollments written); ` +
        `API answered 503 in ${atOnce.ms} ms (enrollments) and ${atOnceCourses.ms} ms (courses) at once, ` +
        `in ${later.ms} ms ${LATER_PROBE_MS} ms into the outage (/health/ready 503 in ${ready.ms} ms); ` +
        `API reads back ${recovered.ms} ms after the restart; run finished ${finishMs} ms after it; ` +
        `course attempts retried: ${JSON.stringify(retried)}`,
    );

    // The database calls failed as retryable errors and later attempts succeeded, within the retry budget.
    expect(retried.length).toBeGreaterThan(0);
    for (const { failure } of retried) expect(failure).not.toBe('');
    expect(result).toMatchObject({
      outcome: 'SUCCEEDED',
      counts: { coursesToSync: COURSES, coursesSynced: COURSES, coursesFailed: 0, enrollmentsFailed: 0 },
    });
    // Each enrollment counted once by the attempt that completed its course (written by it, or already by one that failed later).
    expect(result.counts.enrollmentsChanged + result.counts.enrollmentsUnchanged).toBe(enrollments);
    await expectEnrollmentsFromModel(stores, stack.sim.site, { enrollments, since: startedAt });
    expect(await stores.syncErrors.open()).toEqual([]);
    await expectRunToldEverywhere(stack, workflowId, 'SUCCEEDED');
    await stack.expectNoSecretsLeaked();
  }, 90_000);
});
