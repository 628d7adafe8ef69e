import { MongoBulkWriteError, MongoClient, type Collection, type Db, type Document, type OptionalUnlessRequiredId } from 'mongodb';

export interface Database {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
}

/**
 * Connects without requiring auth, sessions or a replica set, so the same code
 * runs on MongoDB 7 and on FerretDB (../shared/notes/ferretdb.md §3.4).
 */
export async function connectDatabase(uri: string, database: string): Promise<Database> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, retryWrites: false, appName: 'sms-sync' });
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

/** For `$regex` searches on user text: FerretDB has no `$text` and no collation. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
