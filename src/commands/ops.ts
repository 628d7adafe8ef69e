import type { Client } from '@temporalio/client';
import { ConfigError, loadConfig, type Config, type ConfigVariable } from '../config';
import { createStores, type Stores } from '../store';
import { connectDatabase, type Database } from '../store/mongo';
import { connectClient } from '../temporal/client';

/**
 * What the operations commands (`status`, `sync`, `replay`, `schedules`,
 * `courses`) talk to: MongoDB and Temporal only — never Moodle, which only the
 * worker calls — each opened on first use.
 */
export class Ops {
  #database?: Promise<Database>;
  #temporal?: Promise<Client>;

  constructor(readonly config: Config) {}

  async stores(): Promise<Stores> {
    this.#database ??= connectDatabase(this.config.mongo.uri as string, this.config.mongo.database);
    return createStores(await this.#database);
  }

  temporal(): Promise<Client> {
    this.#temporal ??= connectClient(this.config.temporal.address as string, this.config.temporal.namespace);
    return this.#temporal;
  }

  async close(): Promise<void> {
    const [database, temporal] = await Promise.allSettled([this.#database, this.#temporal]);
    if (database.status === 'fulfilled') await database.value?.close();
    if (temporal.status === 'fulfilled') await temporal.value?.connection.close();
  }
}

/**
 * Runs an operations command with configuration from the environment, falling
 * back to a `sms-sync dev` running from this folder for what is not set.
 */
export async function withOps<T>(require: ConfigVariable[], run: (ops: Ops) => Promise<T>): Promise<T> {
  let config: Config;
  try {
    config = loadConfig(process.env, { require, useDevStack: true });
  } catch (error) {
    if (!(error instanceof ConfigError) || !error.problems.some((problem) => problem.endsWith('required but not set'))) throw error;
    throw new ConfigError([...error.problems, '(no running "sms-sync dev" of this folder to take them from: start one with "npm run dev", or set them)']);
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
