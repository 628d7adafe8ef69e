import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Child servers (Temporal dev server, FerretDB, …) started on loopback with a
 * bounded readiness wait, their recent output kept for error messages, and a
 * guarantee that none outlives this process.
 */

const LOG_TAIL_LINES = 40;
const READY_POLL_MS = 150;
const STOP_GRACE_MS = 5_000;

export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError';
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** The last lines the process printed (stdout and stderr). */
  logTail(): string;
  /** Its stop signal (SIGTERM unless set), then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Every child still running, with the signal that stops it cleanly. */
const live = new Map<ChildProcess, NodeJS.Signals>();

// Last resort for a host process that exits without stopping its services
// (uncaught error, process.exit): 'exit' handlers must be synchronous.
process.once('exit', () => {
  for (const child of live.keys()) child.kill('SIGKILL');
});

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

async function stopAll(): Promise<void> {
  await Promise.all(
    [...live].map(
      ([child, stopSignal]) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill(stopSignal);
        }),
    ),
  );
}

/**
 * For processes that host child servers (a test run, `sms-sync dev`): on
 * SIGINT, SIGTERM or SIGHUP run `beforeStop` (e.g. drain a worker), stop every
 * child, then exit with the signal's conventional code. Node's default for
 * these signals is to die at once, leaving the children orphaned.
 */
export function exitCleanlyOnSignals(beforeStop: () => Promise<void> = async () => {}): () => void {
  let stopping = false;
  const handlers = Object.entries(SIGNAL_NUMBERS).map(([signal, number]) => {
    const handler = () => {
      if (stopping) return;
      stopping = true;
      void beforeStop()
        .catch(() => undefined)
        .then(stopAll)
        .finally(() => process.exit(128 + number));
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a free port'));
      });
    });
  });
}

export interface StartProcessOptions {
  name: string;
  binary: string;
  args: string[];
  /** Where it listens, for error messages. */
  endpoint: string;
  /** Resolves true once the service answers. Each call should be short. */
  isReady: () => Promise<boolean>;
  readyTimeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** The signal that shuts it down cleanly; SIGTERM unless the server wants another (PostgreSQL: SIGINT). */
  stopSignal?: NodeJS.Signals;
  /** Run as this user (a root host starting a server that refuses root, such as PostgreSQL). */
  user?: { uid: number; gid: number };
  /** Runs once it has exited, however it was stopped (a signal to the host included): e.g. remove its temporary folder. */
  afterExit?: () => void;
}

/** How a server says that another process took its port first. */
const PORT_TAKEN = /address already in use|EADDRINUSE/i;

/**
 * Starts a server on a free port chosen just before. Another process can take
 * that port between the choice and the bind; then the start is tried again on
 * a new port, so that race cannot fail a run. A port given by the caller is
 * tried once: taking it is the caller's choice.
 */
export async function startOnFreePort<T>(
  givenPort: number | undefined,
  start: (port: number) => Promise<T>,
  attempts = 5,
): Promise<T> {
  if (givenPort !== undefined) return start(givenPort);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= attempts || !(error instanceof ServiceStartError) || !PORT_TAKEN.test(error.message)) throw error;
    }
  }
}

export async function startProcess(options: StartProcessOptions): Promise<ManagedProcess> {
  const { name, binary, args, endpoint } = options;
  const stopSignal = options.stopSignal ?? 'SIGTERM';
  const child = spawn(binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...options.user,
  });
  live.set(child, stopSignal);

  const tail: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
    }
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      live.delete(child);
      try {
        options.afterExit?.();
      } finally {
        resolve();
      }
    });
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const logTail = () => tail.join('\n');
  const describe = (what: string) =>
    new ServiceStartError(
      `${name} (${binary}) ${what} on ${endpoint}.` +
        (tail.length ? `\nLast lines of its log:\n${logTail()}` : ' It printed nothing.'),
    );

  const stop = async () => {
    if (exitCode !== undefined) return;
    child.kill(stopSignal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  for (;;) {
    const early = await Promise.race([
      spawnError.then((error) => describe(`could not be started (${error.message})`)),
      exited.then(() => describe(`exited with code ${exitCode} before it was ready`)),
      options.isReady().catch(() => false),
    ]);
    if (early instanceof Error) {
      await stop();
      throw early;
    }
    if (early) break;
    if (Date.now() > deadline) {
      await stop();
      throw describe(`did not become ready within ${Math.round(options.readyTimeoutMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }

  return { name, pid: child.pid ?? -1, logTail, stop };
}
