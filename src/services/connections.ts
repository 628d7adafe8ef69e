import type { Client } from '@temporalio/client';
import type { ConfigWith } from '../config';
import { createMoodleClient, type MoodleCallObservation, type MoodleClient } from '../moodle';
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
  /** Tells `observer` of every call the Moodle client makes (metrics); returns the function that stops it. */
  observeMoodleCalls(observer: MoodleCallObserver): () => void;
  close(): Promise<void>;
}

export type MoodleCallObserver = (call: MoodleCallObservation) => void;

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
    // Observers come and go with the services that serve metrics; the client is made once, before them.
    const observers = new Set<MoodleCallObserver>();
    const moodle = createMoodleClient({
      ...config.moodle,
      onCall: (call) => observers.forEach((observer) => observer(call)),
    });
    return {
      database,
      stores,
      moodle,
      temporal,
      observeMoodleCalls(observer) {
        observers.add(observer);
        return () => observers.delete(observer);
      },
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
