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
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

// Last resort for a host process that exits without stopping its services
// (uncaught error, process.exit): 'exit' handlers must be synchronous.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

async function stopAll(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
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
}

export async function startProcess(options: StartProcessOptions): Promise<ManagedProcess> {
  const { name, binary, args, endpoint } = options;
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  live.add(child);

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
      resolve();
    });
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const logTail = () => tail.join('\n');
  const describe = (what: string) =>
    new ServiceStartError(
      `${name} (${binary}) ${what} on ${endpoint}.` + (tail.length ? `\nLast lines of its log:\n${logTail()}` : ' It printed nothing.'),
    );

  const stop = async () => {
    if (exitCode !== undefined) return;
    child.kill('SIGTERM');
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
