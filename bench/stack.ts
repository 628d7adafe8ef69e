import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig, type Config } from '../src/config';
import { startLocalServices } from '../src/local/services';
import { exitCleanlyOnSignals } from '../src/local/processes';
import { createLogger, type Logger } from '../src/logger';
import { startMoodleSimulator, type FaultSettings, type MoodleSimulator, type SiteModel } from '../src/moodle-sim';
import { openConnections, type Connections, type ServiceConfig } from '../src/services/connections';
import { SCHEDULE_IDS } from '../src/temporal/workflow-ids';
import { Secret } from '../src/secret';
import type { MemoryBreakdown, WorkerReply, WorkerRequest } from './worker-process';

/**
 * The real service, in this process, against local servers (or the ones
 * TEMPORAL_ADDRESS / MONGODB_URI name) and the Moodle simulator: a fresh
 * database and task queue per run, so runs never see each other's data.
 */
export interface BenchStack {
  readonly config: Config;
  readonly sim: MoodleSimulator;
  readonly connections: Connections;
  readonly temporalAddress: string;
  readonly mongoUri: string;
  readonly log: Logger;
  /** Present when the stack was asked for a worker. */
  readonly worker?: BenchWorker;
}

/** The worker process (bench/worker-process.ts), driven over IPC. */
export interface BenchWorker {
  /** Forgets its database command counts and peak RSS so far. */
  reset(): Promise<void>;
  /** Its database commands by name and peak RSS since the last reset. */
  read(): Promise<{ commands: Record<string, number>; peakRssMb: number; atPeak: MemoryBreakdown }>;
  stop(): Promise<void>;
}

const WORKER_START_TIMEOUT_MS = 120_000;

/** Forks the worker with the stack's configuration in its environment; resolves once it polls. */
async function startWorkerProcess(
  config: Config,
  endpoints: { mongoUri: string; temporalAddress: string },
): Promise<BenchWorker> {
  const child = fork(path.join(__dirname, 'worker-process.ts'), [], {
    env: {
      ...process.env,
      MONGODB_URI: endpoints.mongoUri,
      MONGODB_DB: config.mongo.database,
      TEMPORAL_ADDRESS: endpoints.temporalAddress,
      TEMPORAL_NAMESPACE: config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
      MOODLE_URL: config.moodle.url,
      MOODLE_TOKEN: config.moodle.token?.reveal(),
      MOODLE_MAX_CONNECTIONS: String(config.moodle.maxConnections),
      SYNC_COURSE_CONCURRENCY: String(config.sync.courseConcurrency),
      COURSE_SYNC_INTERVAL: `${config.sync.courseIntervalMs}ms`,
      ENROLLMENT_SYNC_INTERVAL: `${config.sync.enrollmentIntervalMs}ms`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T extends WorkerReply['type']>(type: T, timeoutMs = 60_000) =>
    new Promise<Extract<WorkerReply, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error(`the benchmark worker did not answer ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (message: WorkerReply) => {
        if (message.type !== type) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message as Extract<WorkerReply, { type: T }>);
      };
      child.on('message', onMessage);
      void exited.then(() => reject(new Error('the benchmark worker exited')));
    });
  const ask = <T extends WorkerReply['type']>(request: WorkerRequest, type: T) => {
    const answer = next(type);
    child.send(request);
    return answer;
  };
  try {
    await next('ready', WORKER_START_TIMEOUT_MS);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    async reset() {
      await ask('reset', 'reset');
    },
    async read() {
      const { commands, peakRssMb, atPeak } = await ask('read', 'read');
      return { commands, peakRssMb, atPeak };
    },
    async stop() {
      if (child.exitCode !== null || !child.connected) return;
      child.send('stop');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export interface BenchStackOptions {
  site: SiteModel;
  latency: Pick<FaultSettings, 'latencyMs' | 'perRowLatencyMs'>;
  /** Courses synced at once, and Moodle connections (the floor divides by it). */
  concurrency: number;
  worker: boolean;
  /** The schedules' intervals, for a benchmark that lets them run (they start paused). */
  intervals?: Partial<Pick<Config['sync'], 'courseIntervalMs' | 'enrollmentIntervalMs'>>;
}

const cleanups: (() => Promise<void>)[] = [];
const SIGNAL_CLEANUP_MS = 10_000;

/** Something to stop at the end of the benchmark, or on Ctrl-C. */
export function registerCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

/** Runs every registered cleanup, newest first, each at most once. */
export async function stopEverything(): Promise<void> {
  for (let cleanup = cleanups.pop(); cleanup !== undefined; cleanup = cleanups.pop()) {
    await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}

/**
 * Runs `main` and stops what it started afterwards, on failure and on
 * Ctrl-C too (exitCleanlyOnSignals then stops the child servers).
 */
export async function runBench(main: () => Promise<void>): Promise<void> {
  // A worker drains its running activities before it stops; on Ctrl-C, wait only so long for that.
  const removeSignalHandlers = exitCleanlyOnSignals(() =>
    Promise.race([stopEverything(), new Promise<void>((resolve) => setTimeout(resolve, SIGNAL_CLEANUP_MS).unref())]),
  );
  try {
    await main();
  } catch (error) {
    process.exitCode = 1;
    console.error(error);
  } finally {
    await stopEverything();
    removeSignalHandlers();
  }
}

let runtimeInstalled = false;

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  if (!runtimeInstalled) {
    // The SDK logs every worker start and poll at INFO; the benchmark's own output is the report.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const base = loadConfig();
  const log = createLogger('warn', { role: 'bench' });
  const services = await startLocalServices(base);
  registerCleanup(() => services.stop());

  const token = randomBytes(16).toString('hex');
  const sim = await startMoodleSimulator({ site: options.site, token, faults: options.latency });
  registerCleanup(() => sim.close());

  const suffix = randomBytes(4).toString('hex');
  const config: ServiceConfig = {
    ...base,
    mongo: { ...base.mongo, uri: services.mongoUri, database: `bench_${suffix}` },
    temporal: { ...base.temporal, address: services.temporalAddress, taskQueue: `bench-${suffix}` },
    moodle: { ...base.moodle, url: sim.url, token: new Secret(token), maxConnections: options.concurrency },
    sync: { ...base.sync, ...options.intervals, courseConcurrency: options.concurrency },
  };
  const connections = await openConnections(config, { monitorCommands: true });
  registerCleanup(async () => {
    await connections.database.db.dropDatabase().catch(() => undefined);
    await connections.close();
  });

  let worker: BenchWorker | undefined;
  if (options.worker) {
    const running = await startWorkerProcess(config, {
      mongoUri: services.mongoUri,
      temporalAddress: services.temporalAddress,
    });
    registerCleanup(() => running.stop());
    worker = running;
    // The worker service (re)creates the schedules for this task queue; a scheduled run firing
    // mid-benchmark would add its Moodle calls to the measured ones.
    for (const scheduleId of Object.values(SCHEDULE_IDS)) {
      await connections.temporal.schedule.getHandle(scheduleId).pause('paused by the benchmark');
    }
  }
  return {
    config,
    sim,
    connections,
    temporalAddress: services.temporalAddress,
    mongoUri: services.mongoUri,
    log,
    worker,
  };
}
