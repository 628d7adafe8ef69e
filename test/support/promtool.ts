import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findExecutable } from './executables';

/**
 * promtool, Prometheus's own checker, from the machine (Debian's `prometheus` package, which CI
 * installs; PROMTOOL may point at another). A missing promtool fails the tests that need it rather
 * than skipping them: the alert rules would otherwise ship unchecked.
 */

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface PromtoolResult {
  status: number | null;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

function findPromtool(): string {
  const found = findExecutable(process.env.PROMTOOL || 'promtool');
  if (found === undefined && process.env.PROMTOOL) {
    throw new Error(`PROMTOOL=${process.env.PROMTOOL} is not an executable file: point it at a promtool binary.`);
  }
  if (found === undefined) {
    throw new Error(
      'promtool is not installed: the alert rules, their tests and the Prometheus configuration are checked with it. ' +
        'Install Debian’s prometheus package (apt-get install prometheus) or set PROMTOOL to a promtool binary.',
    );
  }
  return found;
}

/** Runs `promtool <args>` in `cwd`, killed after `timeoutMs` so that a hung run fails the test instead. */
export function promtool(args: string[], { cwd = REPO_ROOT, timeoutMs = 30_000 } = {}): PromtoolResult {
  const command = `promtool ${args.join(' ')}`;
  const result = spawnSync(findPromtool(), args, { cwd, encoding: 'utf8', timeout: timeoutMs });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new Error(`${command} did not finish within ${timeoutMs} ms:\n${output}`);
  }
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.signal) throw new Error(`${command} was killed (${result.signal}):\n${output}`);
  return { status: result.status, output };
}
