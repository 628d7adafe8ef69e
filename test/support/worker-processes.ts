import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CLI } from './cli';
import type { LogLine, ServiceStack } from './service-stack';

/** What worker-service-process.ts prints once its connections are open, and the line that starts it. */
export const ARMED_LINE = 'armed';
export const START_LINE = 'start';

const SERVICE_PROCESS = path.join(__dirname, 'worker-service-process.ts');
const DEFAULT_WAIT_MS = 60_000;

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A worker running in a child process, with its JSON log. */
export interface WorkerProcess {
  readonly pid: number;
  /** Its Temporal identity (the SDK's default), as the task queue's pollers and the histories name it. */
  readonly identity: string;
  readonly logs: readonly LogLine[];
  /** Resolves with its first log line whose `msg` is `message`; rejects if it exits or the time runs out first. */
  waitForLog(message: string, timeoutMs?: number): Promise<LogLine>;
  /** Its peak resident set size so far (VmHWM), in MB; only while it runs. */
  peakRssMb(): number;
  readonly exited: Promise<WorkerExit>;
  /** Sends `signal` (unless it has exited already) and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<WorkerExit>;
}

/** A worker-service-process.ts with its connections open, waiting to be started. */
export interface ArmedWorker extends WorkerProcess {
  /** Starts the worker service: it creates the worker, ensures the schedules and polls. */
  start(): void;
}

/**
 * The environment `sms-sync worker` needs to join `stack`: its Temporal server, namespace and task
 * queue, its database and its simulated Moodle, with the stack's week-long intervals (a worker
 * ensures the schedules with its own settings).
 */
export function workerEnvironment(stack: ServiceStack, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { config } = stack;
  return {
    ...process.env,
    MONGODB_URI: config.mongo.uri,
    MONGODB_DB: config.mongo.database,
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    MOODLE_URL: stack.sim.url,
    MOODLE_TOKEN: config.moodle.token.reveal(),
    MOODLE_TIMEOUT: '30s',
    COURSE_SYNC_INTERVAL: '7d',
    ENROLLMENT_SYNC_INTERVAL: '7d',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

/** The real `sms-sync worker` (bin/sms-sync.js): it bundles the workflows at start, so it takes a while to poll. */
export function spawnWorkerCommand(env: NodeJS.ProcessEnv): WorkerProcess {
  return watch(spawn(process.execPath, [CLI, 'worker'], { env, stdio: 'pipe' }));
}

/**
 * Hands `stack`'s work to a worker process of its own (whose memory can be measured): the stack's
 * in-process worker stops, and the process starts and polls.
 */
export async function moveWorkerToProcess(
  stack: ServiceStack,
  overrides: NodeJS.ProcessEnv = {},
): Promise<ArmedWorker> {
  await stack.worker.stop();
  const worker = await spawnArmedWorker(workerEnvironment(stack, overrides));
  worker.start();
  // It polls once its workflow bundle is loaded: seconds, more on a busy machine.
  await worker.waitForLog('worker started', 120_000);
  return worker;
}

/** worker-service-process.ts, once it has opened its connections. */
export async function spawnArmedWorker(env: NodeJS.ProcessEnv): Promise<ArmedWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVICE_PROCESS], { env, stdio: 'pipe' });
  const worker = watch(child);
  await worker.waitForLine(ARMED_LINE);
  return { ...worker, start: () => child.stdin.end(`${START_LINE}\n`) };
}

function watch(child: ChildProcessWithoutNullStreams): WorkerProcess & { waitForLine(line: string): Promise<void> } {
  const pid = child.pid!;
  const logs: LogLine[] = [];
  const text: string[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) logs.push(JSON.parse(line) as LogLine);
    else text.push(line);
    for (const listener of listeners) listener();
  });
  createInterface({ input: child.stderr }).on('line', (line) => text.push(line));
  const exited = new Promise<WorkerExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const listener of listeners) listener();
  });

  function waitFor<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const found = find();
        if (found !== undefined) settle(undefined, found);
        else if (hasExited) settle(new Error(`the worker exited before ${what}`));
      };
      function settle(error: Error | undefined, found?: T) {
        clearTimeout(timer);
        listeners.delete(check);
        if (error) reject(new Error(`${error.message}; its output:\n${text.join('\n')}`));
        else resolve(found as T);
      }
      listeners.add(check);
      check();
    });
  }

  return {
    pid,
    identity: `${pid}@${hostname()}`,
    logs,
    waitForLog: (message, timeoutMs = DEFAULT_WAIT_MS) =>
      waitFor(() => logs.find((line) => line.msg === message), `log line "${message}"`, timeoutMs),
    waitForLine: async (line) => {
      await waitFor(() => (text.includes(line) ? true : undefined), `line "${line}"`, DEFAULT_WAIT_MS);
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kilobytes = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
      if (kilobytes === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
      return Number(kilobytes) / 1024;
    },
    exited,
    async stop(signal = 'SIGTERM') {
      if (!hasExited) child.kill(signal);
      return exited;
    },
  };
}
