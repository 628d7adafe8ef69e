import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { createMoodleClient, type MoodleClient } from '../moodle';
import { createStores, ensureIndexes, type Stores } from '../store';
import { connectDatabase, type Database } from '../store/mongo';
import { connectClient } from '../temporal/client';

/** The outside world every process of the service talks to, opened from configuration. */
export interface Connections {
  database: Database;
  stores: Stores;
  moodle: MoodleClient;
  temporal: Client;
  close(): Promise<void>;
}

export interface Endpoints {
  mongoUri: string;
  temporalAddress: string;
  moodleUrl: string;
}

export function createMoodleClientFromConfig(config: Config, url: string): MoodleClient {
  if (config.moodle.token === undefined) throw new Error('MOODLE_TOKEN is required');
  return createMoodleClient({
    url,
    token: config.moodle.token,
    timeoutMs: config.moodle.timeoutMs,
    maxConnections: config.moodle.maxConnections,
  });
}

/** Opens MongoDB (creating indexes), the Moodle client and a Temporal client. */
export async function openConnections(
  config: Config,
  endpoints: Endpoints,
  /** `monitorCommands` lets a benchmark count the service's database round trips. */
  databaseOptions: Parameters<typeof connectDatabase>[2] = {},
): Promise<Connections> {
  const database = await connectDatabase(endpoints.mongoUri, config.mongo.database, databaseOptions);
  try {
    const stores = createStores(database);
    await ensureIndexes(stores);
    const temporal = await connectClient(endpoints.temporalAddress, config.temporal.namespace);
    const moodle = createMoodleClientFromConfig(config, endpoints.moodleUrl);
    return {
      database,
      stores,
      moodle,
      temporal,
      async close() {
        await temporal.connection.close();
        await moodle.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Endpoints from configuration alone (production: everything is named). */
export function configuredEndpoints(config: Config): Endpoints {
  return {
    mongoUri: config.mongo.uri as string,
    temporalAddress: config.temporal.address as string,
    moodleUrl: config.moodle.url as string,
  };
}

