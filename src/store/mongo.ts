import {
  MongoBulkWriteError,
  MongoClient,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Document,
  type IndexDescription,
  type MongoClientOptions,
  type OptionalUnlessRequiredId,
} from 'mongodb';

export interface Database {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
}

/**
 * Connects without requiring auth, sessions or a replica set, so the same code
 * runs on MongoDB 7 and on FerretDB (../shared/notes/ferretdb.md §3.4).
 */
export async function connectDatabase(
  uri: string,
  database: string,
  /** `monitorCommands` lets a benchmark count the queries behind each request (`commandStarted`). */
  options: Pick<MongoClientOptions, 'monitorCommands'> = {},
): Promise<Database> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, retryWrites: false, appName: 'sms-sync', ...options });
  await client.connect();
  return { client, db: client.db(database), close: () => client.close() };
}

/** Duplicate keys are reliably reported (code 11000) by inserts only (../shared/notes/ferretdb.md §3.4). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/**
 * Inserts documents that may already exist (a retried activity), ignoring
 * only duplicate-key failures; returns how many were new. Upserts with
 * `$setOnInsert` would be the usual tool, but FerretDB 1.24 silently drops
 * null values given to `$setOnInsert`.
 */
export async function insertMissing<T extends Document>(collection: Collection<T>, documents: OptionalUnlessRequiredId<T>[]): Promise<number> {
  if (documents.length === 0) return 0;
  try {
    const result = await collection.insertMany(documents, { ordered: false });
    return result.insertedCount;
  } catch (error) {
    const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
    const failures = Array.isArray(writeErrors) ? writeErrors : [error];
    if (!(error instanceof MongoBulkWriteError) && !isDuplicateKeyError(error)) throw error;
    if (!failures.every(isDuplicateKeyError)) throw error;
    return documents.length - failures.length;
  }
}

/**
 * `createIndexes`, one index per command. FerretDB 1.24 panics (and drops the
 * connection) when one command names two or more indexes that already exist,
 * as every start after the first does: it removes them from its list by their
 * original positions. One index per command is idempotent on both stores.
 */
export async function createIndexes<T extends Document>(collection: Collection<T>, indexes: readonly IndexDescription[]): Promise<void> {
  for (const index of indexes) await collection.createIndexes([index]);
}

/** For `$regex` searches on user text: FerretDB has no `$text` and no collation. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Statements per bulk write. FerretDB 1.24's SQLite backend holds one pooled
 * SQLite connection (of 100) per update statement until the whole command
 * ends, so a command of about 100 updates — or concurrent commands adding up
 * to that — wait for each other forever (measured: 90 updates pass, 120
 * hang). 16 leaves room for several syncing courses and the API at once;
 * MongoDB does not care.
 */
export const BULK_WRITE_BATCH = 16;

/** `bulkWrite` in ordered batches of `BULK_WRITE_BATCH`, calling `afterBatch` between them (for heartbeats). */
export async function bulkWriteInBatches<T extends Document>(
  collection: Collection<T>,
  operations: readonly AnyBulkWriteOperation<T>[],
  afterBatch: () => void = () => {},
): Promise<void> {
  for (let start = 0; start < operations.length; start += BULK_WRITE_BATCH) {
    await collection.bulkWrite(operations.slice(start, start + BULK_WRITE_BATCH), { ordered: true });
    afterBatch();
  }
}
