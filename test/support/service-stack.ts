import type { Client } from '@temporalio/client';
import { generateApiKey, hashApiKey } from '../../src/api/auth';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startMoodleSimulator, type MoodleSimulator, type SiteModel } from '../../src/moodle-sim';
import { startApiService, type ApiService } from '../../src/services/api';
import { openConnections, type Connections, type ServiceConfig } from '../../src/services/connections';
import { startWorkerService, type RunningWorker } from '../../src/services/worker';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import type { Stores } from '../../src/store';
import { courseSyncWorkflow } from '../../workflows';
import { uniqueName, workflowBundlePath } from './environment';
import { runCommand } from './cli';
import { graphql, type GraphQLResponse } from './graphql';
import { expectNoSecrets } from './secret-scan';
import { studentOf } from './students';

/** One JSON line of the worker's or the API's pino log. */
export type LogLine = Record<string, unknown>;

/**
 * The worker and the API as `sms-sync worker` and `sms-sync api` start them, each with connections of
 * its own (as in two processes), on the Temporal server and MongoDB the test names, with a database
 * and a task queue of their own and a Moodle simulator serving `site`. Their logs are kept in `logs`.
 * The worker ensures the schedules, so the Temporal server must be the test's own; their intervals
 * are a week, so that no scheduled run joins the test's.
 */
export interface ServiceStack {
  readonly config: ServiceConfig;
  readonly sim: MoodleSimulator;
  readonly worker: RunningWorker;
  readonly api: ApiService;
  /** The worker's connections: its stores are what the syncs write. */
  readonly connections: Connections;
  readonly logs: LogLine[];
  /** A GraphQL read over HTTP with a reader key, as the SMS front end does. */
  read<T = Record<string, unknown>>(query: string): Promise<GraphQLResponse<T>>;
  /**
   * Fault row "Secrets": neither the Moodle token nor the API key appears in the stack's log lines, its
   * Temporal histories and memos, its database, GraphQL's sync health, runs and errors, or `sms-sync status`.
   */
  expectNoSecretsLeaked(): Promise<void>;
  close(): Promise<void>;
}

/** What ops and the front end read of a run's health, errors included: where a leaked token would show. */
const HEALTH_QUERY =
  '{ syncStatus { connection cause message lastCourseSync { outcome error } lastEnrollmentSync { outcome error } } ' +
  'syncRuns(first: 100) { edges { node { workflowId outcome error } } } ' +
  'syncErrors(open: false, first: 100) { edges { node { code message } } } }';

export interface ServiceStackOptions {
  temporalAddress: string;
  mongoUri: string;
  site: SiteModel;
  token: string;
  /** Names the database and the task queue. */
  name: string;
}

let runtimeInstalled = false;

export async function startServiceStack(options: ServiceStackOptions): Promise<ServiceStack> {
  const logs: LogLine[] = [];
  // Info and up, as a production worker logs: every line is scanned for secrets.
  const log = createLogger('info', { role: 'test' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  // Once per test file (its own module registry), before any native connection.
  if (!runtimeInstalled) await installTemporalRuntime(log, { metrics: false });
  runtimeInstalled = true;

  const readerKey = generateApiKey();
  const sim = await startMoodleSimulator({ site: options.site, token: options.token });
  const config = loadConfig(
    {
      MONGODB_URI: options.mongoUri,
      MONGODB_DB: uniqueName(options.name).replace('-', '_'),
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: uniqueName(options.name),
      MOODLE_URL: sim.url,
      MOODLE_TOKEN: options.token,
      MOODLE_TIMEOUT: '5s',
      COURSE_SYNC_INTERVAL: '7d',
      ENROLLMENT_SYNC_INTERVAL: '7d',
      API_KEYS: `reader:${hashApiKey(readerKey)}`,
    },
    { require: ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN'] },
  );
  const opened: Connections[] = [];
  const closeAll = async () => {
    for (const connections of opened) await connections.close();
    await sim.close();
  };
  try {
    const connections = await openConnections(config);
    opened.push(connections);
    const apiConnections = await openConnections(config);
    opened.push(apiConnections);
    const worker = await startWorkerService(config, connections, { log, workflowBundlePath: workflowBundlePath() });
    const api = await startApiService(config, apiConnections, { log, port: 0 }).catch(async (error: unknown) => {
      await worker.stop();
      throw error;
    });
    return {
      config,
      sim,
      worker,
      api,
      connections,
      logs,
      read: (query) => graphql(api.url, query, { key: readerKey }),
      async expectNoSecretsLeaked() {
        const health = await graphql(api.url, HEALTH_QUERY, { key: readerKey });
        expect(health.body.errors).toBeUndefined();
        const status = await runCommand(['status', '--json'], {
          ...process.env,
          MONGODB_URI: config.mongo.uri,
          MONGODB_DB: config.mongo.database,
        });
        expect(status.output).toContain('"connection"');
        const places = await expectNoSecrets([options.token, readerKey], {
          temporal: connections.temporal,
          db: connections.database.db,
          logs,
          shown: [health.body, status.output],
        });
        expect(places).toBeGreaterThan(3);
      },
      async close() {
        await api.close();
        await worker.stop();
        await connections.database.db.dropDatabase().catch(() => undefined);
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * What an SMS admin does before the first enrollment sync: a course sync brings Moodle's courses, and
 * every student of every course is enrolled in the SMS. Returns the ids of the courses and how many
 * enrollments there are.
 */
export async function enrollEveryStudent(stack: ServiceStack): Promise<{ courseIds: number[]; enrollments: number }> {
  const { sim, connections, config } = stack;
  return openAndEnrollEverything(connections.temporal, config.temporal.taskQueue, connections.stores, sim.site);
}

/** `enrollEveryStudent` for a test that wires its own worker on `taskQueue`. */
export async function openAndEnrollEverything(
  temporal: Client,
  taskQueue: string,
  stores: Stores,
  site: SiteModel,
): Promise<{ courseIds: number[]; enrollments: number }> {
  await temporal.workflow.execute(courseSyncWorkflow, {
    taskQueue,
    workflowId: uniqueName('course-sync-setup'),
    args: [{ trigger: 'MANUAL' }],
  });
  const courseIds = site
    .courses()
    .filter((course) => course.format !== 'site')
    .map((course) => course.id);
  const now = new Date();
  let enrollments = 0;
  for (const courseId of courseIds) {
    await stores.courses.setState(courseId, 'OPEN', now);
    for (const user of site.students(courseId)) {
      const student =
        (await stores.students.getByMoodleUserId(user.id)) ?? (await stores.students.create(studentOf(user), now));
      await stores.enrollments.create({ courseId, studentId: student._id, moodleUserId: user.id }, now);
      enrollments += 1;
    }
  }
  return { courseIds, enrollments };
}
