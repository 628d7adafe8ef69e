import type { Client } from '@temporalio/client';
import type { ConfigWith } from '../config';
import { createMoodleClient, type MoodleClient } from '../moodle';
import { createStores, ensureIndexes, type Stores } from '../store';
import { connectDatabase, type Database } from '../store/mongo';
import { connectClient } from '../temporal/client';

/** What the worker and the API need configured: every service they talk to is named. */
export type ServiceConfig = ConfigWith<'MONGODB_URI' | 'TEMPORAL_ADDRESS' | 'MOODLE_URL' | 'MOODLE_TOKEN'>;

/** The outside world every process of the service talks to, opened from configuration. */
export interface Connections {
  database: Database;
  stores: Stores;
  moodle: MoodleClient;
  temporal: Client;
  close(): Promise<void>;
}

/** `monitorCommands` lets a benchmark count the service's database round trips. */
export type DatabaseOptions = Parameters<typeof connectDatabase>[2];

/** Opens MongoDB and makes sure its indexes exist (idempotent and cheap when they do). */
export async function openStores(
  config: ConfigWith<'MONGODB_URI'>,
  options: DatabaseOptions = {},
): Promise<{ database: Database; stores: Stores }> {
  const database = await connectDatabase(config.mongo.uri, config.mongo.database, options);
  try {
    const stores = createStores(database);
    await ensureIndexes(stores);
    return { database, stores };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Opens MongoDB (creating indexes), the Moodle client and a Temporal client. */
export async function openConnections(
  config: ServiceConfig,
  databaseOptions: DatabaseOptions = {},
): Promise<Connections> {
  const { database, stores } = await openStores(config, databaseOptions);
  try {
    const temporal = await connectClient(config.temporal.address, config.temporal.namespace);
    const moodle = createMoodleClient(config.moodle);
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
