import type { Client } from '@temporalio/client';
import { ConfigError, loadConfig, type ConfigVariable, type ConfigWith } from '../config';
import { openStores } from '../services/connections';
import type { Stores } from '../store';
import type { Database } from '../store/mongo';
import { connectClient } from '../temporal/client';

/**
 * What the operations commands (`status`, `sync`, `replay`, `schedules`,
 * `courses`) talk to: MongoDB and Temporal only — never Moodle, which only the
 * worker calls — each opened on first use.
 */
export class Ops<R extends ConfigVariable> {
  #opened?: Promise<{ database: Database; stores: Stores }>;
  #temporal?: Promise<Client>;

  constructor(readonly config: ConfigWith<R>) {}

  /** Only for commands that required MONGODB_URI. */
  async stores(this: Ops<'MONGODB_URI'>): Promise<Stores> {
    this.#opened ??= openStores(this.config);
    return (await this.#opened).stores;
  }

  /** Only for commands that required TEMPORAL_ADDRESS. */
  temporal(this: Ops<'TEMPORAL_ADDRESS'>): Promise<Client> {
    this.#temporal ??= connectClient(this.config.temporal.address, this.config.temporal.namespace);
    return this.#temporal;
  }

  async close(): Promise<void> {
    const [opened, temporal] = await Promise.allSettled([this.#opened, this.#temporal]);
    if (opened.status === 'fulfilled') await opened.value?.database.close();
    if (temporal.status === 'fulfilled') await temporal.value?.connection.close();
  }
}

/**
 * Runs an operations command with configuration from the environment, falling
 * back to a `sms-sync dev` running from this folder for what is not set.
 */
export async function withOps<R extends ConfigVariable, T>(
  require: readonly R[],
  run: (ops: Ops<R>) => Promise<T>,
): Promise<T> {
  let config: ConfigWith<R>;
  try {
    config = loadConfig(process.env, { require, useDevStack: true });
  } catch (error) {
    if (!(error instanceof ConfigError) || !error.problems.some((problem) => problem.endsWith('required but not set')))
      throw error;
    throw new ConfigError([
      ...error.problems,
      '(no running "sms-sync dev" of this folder to take them from: start one with "npm run dev", or set them)',
    ]);
  }
  const ops = new Ops(config);
  try {
    return await run(ops);
  } finally {
    await ops.close();
  }
}

/** Prints `value` as JSON for scripts. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Long waits say they are still waiting, on stderr so that `--json` output stays parseable. */
export function progressLine(message: string): void {
  console.error(message);
}
