import {
  MongoBulkWriteError,
  MongoClient,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Document,
  type Filter,
  type FindOptions,
  type IndexDescription,
  type MongoClientOptions,
  type OptionalUnlessRequiredId,
  type WithId,
} from 'mongodb';

/**
 * What the server does well, learnt once at connect. FerretDB 1.24 hands only
 * top-level equality to its database and evaluates the rest (`$in`
 * included) on every document of the collection, so a lookup of many ids is
 * one equality query per id there, and one `$in` on MongoDB
 * (docs/local-store.md).
 */
export interface StoreTraits {
  readonly equalityOnly: boolean;
  /** Statements per bulk write command (`bulkWriteInBatches`). */
  readonly bulkWriteBatch: number;
}

/**
 * Statements per bulk write on FerretDB. FerretDB 1.24 keeps each update
 * statement's query open, holding one pooled database connection, until the
 * whole command ends, so a command of more statements than its pool has
 * connections, or concurrent commands adding up to that, wait for each other
 * forever (measured on its SQLite backend: 90 updates pass, 120 hang; the
 * local PostgreSQL backend's pool is 200). 16 leaves room for several syncing
 * courses and the API at once (docs/local-store.md).
 */
export const FERRETDB_BULK_WRITE_BATCH = 16;

/** MongoDB takes a whole course's writes in one command (its own limit, maxWriteBatchSize, is 100,000). */
export const MONGODB_TRAITS: StoreTraits = { equalityOnly: false, bulkWriteBatch: 100_000 };
const FERRETDB_TRAITS: StoreTraits = { equalityOnly: true, bulkWriteBatch: FERRETDB_BULK_WRITE_BATCH };

export interface Database {
  readonly client: MongoClient;
  readonly db: Db;
  readonly traits: StoreTraits;
  close(): Promise<void>;
}

/** FerretDB answers `buildInfo` with its own version beside the MongoDB one it emulates. */
async function detectTraits(client: MongoClient): Promise<StoreTraits> {
  const info = await client.db('admin').command({ buildInfo: 1 });
  return 'ferretdbVersion' in info ? FERRETDB_TRAITS : MONGODB_TRAITS;
}

/**
 * Connects without requiring auth, sessions or a replica set, so the same code
 * runs on MongoDB 7 and on FerretDB (docs/ferretdb.md, the must-avoid list).
 */
export async function connectDatabase(
  uri: string,
  database: string,
  /** `monitorCommands` lets a benchmark count the queries behind each request (`commandStarted`). */
  options: Pick<MongoClientOptions, 'monitorCommands'> = {},
): Promise<Database> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: 10_000,
    retryWrites: false,
    appName: 'sms-sync',
    ...options,
  });
  await client.connect();
  try {
    return { client, db: client.db(database), traits: await detectTraits(client), close: () => client.close() };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/**
 * Documents whose `field` is one of `values`, in no particular order: one
 * `$in` query on MongoDB, one equality query per value where the server
 * serves only equality well (StoreTraits).
 */
export async function findWhereIn<T extends Document>(
  collection: Collection<T>,
  traits: StoreTraits,
  field: keyof T & string,
  values: readonly unknown[],
  options: FindOptions = {},
): Promise<WithId<T>[]> {
  if (values.length === 0) return [];
  if (!traits.equalityOnly) return collection.find({ [field]: { $in: [...values] } } as Filter<T>, options).toArray();
  const found = await Promise.all(
    values.map((value) => collection.find({ [field]: value } as Filter<T>, options).toArray()),
  );
  return found.flat();
}

/** Duplicate keys are reliably reported (code 11000) by inserts only (docs/ferretdb.md, the must-avoid list). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/**
 * Inserts documents that may already exist (a retried activity), ignoring
 * only duplicate-key failures; returns how many were new. Upserts with
 * `$setOnInsert` would be the usual tool, but FerretDB 1.24 silently drops
 * null values given to `$setOnInsert`.
 */
export async function insertMissing<T extends Document>(
  collection: Collection<T>,
  documents: OptionalUnlessRequiredId<T>[],
): Promise<number> {
  if (documents.length === 0) return 0;
  try {
    const result = await collection.insertMany(documents, { ordered: false });
    return result.insertedCount;
  } catch (error) {
    const duplicates = duplicateKeyFailures(error);
    if (duplicates === undefined) throw error;
    return documents.length - duplicates;
  }
}

/** How many writes a failed write command refused as duplicate keys; undefined when anything else failed. */
function duplicateKeyFailures(error: unknown): number | undefined {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const failures = Array.isArray(writeErrors) ? writeErrors : [error];
  if (!(error instanceof MongoBulkWriteError) && !isDuplicateKeyError(error)) return undefined;
  return failures.every(isDuplicateKeyError) ? failures.length : undefined;
}

/**
 * `createIndexes`, one index per command. FerretDB 1.24 panics (and drops the
 * connection) when one command names two or more indexes that already exist,
 * as every start after the first does: it removes them from its list by their
 * original positions. One index per command is idempotent on both stores.
 */
export async function createIndexes<T extends Document>(
  collection: Collection<T>,
  indexes: readonly IndexDescription[],
): Promise<void> {
  for (const index of indexes) await collection.createIndexes([index]);
}

/** For `$regex` searches on user text: FerretDB has no `$text` and no collation. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Runs `write` on consecutive batches of the store's `bulkWriteBatch`,
 * calling `afterBatch` between them (for heartbeats).
 */
async function inBatches<O>(
  traits: StoreTraits,
  operations: readonly O[],
  write: (batch: O[]) => Promise<void>,
  afterBatch: () => void,
): Promise<void> {
  for (let start = 0; start < operations.length; start += traits.bulkWriteBatch) {
    await write(operations.slice(start, start + traits.bulkWriteBatch));
    afterBatch();
  }
}

/**
 * `bulkWriteInBatches` for guarded upserts (`{_id, version: {$lt: mine}}`
 * with `upsert`): a statement whose guard finds a newer document tries to
 * insert its `_id` again and is refused as a duplicate key; it is skipped. A
 * batch with such a refusal is replayed one statement at a time, since
 * FerretDB does not say reliably which statement failed (docs/ferretdb.md);
 * the statements already applied are refused by their own guard the second
 * time.
 */
export async function upsertInBatchesUnlessNewer<T extends Document>(
  collection: Collection<T>,
  traits: StoreTraits,
  operations: readonly AnyBulkWriteOperation<T>[],
  afterBatch: () => void = () => {},
): Promise<void> {
  const skippingNewer = async (batch: AnyBulkWriteOperation<T>[]) => {
    try {
      await collection.bulkWrite(batch, { ordered: true });
      return true;
    } catch (error) {
      if (duplicateKeyFailures(error) === undefined) throw error;
      return false;
    }
  };
  await inBatches(
    traits,
    operations,
    async (batch) => {
      if (await skippingNewer(batch)) return;
      for (const operation of batch) await skippingNewer([operation]);
    },
    afterBatch,
  );
}

/**
 * `bulkWrite` in ordered batches of the store's `bulkWriteBatch`,
 * calling `afterBatch` between them (for heartbeats).
 */
export async function bulkWriteInBatches<T extends Document>(
  collection: Collection<T>,
  traits: StoreTraits,
  operations: readonly AnyBulkWriteOperation<T>[],
  afterBatch: () => void = () => {},
): Promise<void> {
  await inBatches(
    traits,
    operations,
    async (batch) => {
      await collection.bulkWrite(batch, { ordered: true });
    },
    afterBatch,
  );
}
