import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, type ConfigWith } from '../../src/config';
import { createStores, ensureIndexes, type Stores } from '../../src/store';
import { connectDatabase, type Database } from '../../src/store/mongo';

/** Set by the global setup: the workflow code bundled once for the whole run. */
export const TEST_BUNDLE_VARIABLE = 'SMS_SYNC_TEST_WORKFLOW_BUNDLE';
/** Set by the global setup when it started the embedded store: its PostgreSQL's socket folder. */
export const TEST_POSTGRES_SOCKET_VARIABLE = 'SMS_SYNC_TEST_POSTGRES_SOCKET';

let runtimeInstalled = false;

/** Every test file has its own module registry, hence its own Temporal runtime: keep it quiet. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export type TestConfig = ConfigWith<'TEMPORAL_ADDRESS' | 'MONGODB_URI'>;

export function testConfig(): TestConfig {
  return loadConfig(process.env, { require: ['TEMPORAL_ADDRESS', 'MONGODB_URI'] });
}

export function workflowBundlePath(): string {
  const bundle = process.env[TEST_BUNDLE_VARIABLE];
  if (!bundle) throw new Error(`${TEST_BUNDLE_VARIABLE} is not set: integration tests need the Jest global setup`);
  return bundle;
}

export interface TestTemporal {
  readonly connection: NativeConnection;
  readonly client: Client;
  readonly namespace: string;
  /** A task queue of this test file's own, so parallel files never take each other's tasks. */
  readonly taskQueue: string;
  close(): Promise<void>;
}

export async function openTemporal(config = testConfig()): Promise<TestTemporal> {
  installQuietRuntime();
  const address = config.temporal.address;
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  return {
    connection,
    client,
    namespace: config.temporal.namespace,
    taskQueue: uniqueName('test'),
    async close() {
      await clientConnection.close();
      await connection.close();
    },
  };
}

/** A database of this test's own on the shared server, dropped on close. */
export async function openTestDatabase(config = testConfig()): Promise<Database> {
  const database = await connectDatabase(config.mongo.uri, uniqueName('sms_test').replace('-', '_'));
  return {
    ...database,
    async close() {
      await database.db.dropDatabase();
      await database.close();
    },
  };
}

/** A test database with the service's stores and their indexes; `database.close()` drops it. */
export async function openTestStores(config = testConfig()): Promise<{ database: Database; stores: Stores }> {
  const database = await openTestDatabase(config);
  const stores = createStores(database);
  await ensureIndexes(stores);
  return { database, stores };
}
