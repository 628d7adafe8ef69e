import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const CLI = path.resolve(__dirname, '../../bin/sms-sync.js');

export interface RunningCommand {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the first output line matching `pattern`, or rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  output(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `sms-sync <args>` as a real process, the way a person would. */
export function startCommand(args: string[], env: NodeJS.ProcessEnv = process.env): RunningCommand {
  return watch(spawn(process.execPath, [CLI, ...args], { env, stdio: 'pipe' }));
}

/** Starts `npm run <script> -- <args>` in the repository, as the README tells a newcomer to. */
export function startNpmScript(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): RunningCommand {
  return watch(spawn('npm', ['run', '--silent', script, '--', ...args], { cwd: REPO_ROOT, env, stdio: 'pipe' }));
}

const REPO_ROOT = path.resolve(__dirname, '../..');

function watch(child: ChildProcessWithoutNullStreams): RunningCommand {
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const waiter of waiters) waiter(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => lines.join('\n'),
    waitForLine(pattern, timeoutMs = 30_000) {
      const seen = lines.map((line) => line.match(pattern)).find(Boolean);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${lines.join('\n')}`));
        }, timeoutMs);
        const check = (line: string) => {
          const match = line.match(pattern);
          if (!match) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(match);
        };
        waiters.add(check);
        void exited.then(() => check(''));
      });
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs `sms-sync <args>` to completion. */
export async function runCommand(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; output: string }> {
  const command = startCommand(args, env);
  const code = await new Promise<number | null>((resolve) => command.child.once('exit', resolve));
  // Let the line readers drain what the process wrote last.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, output: command.output() };
}
