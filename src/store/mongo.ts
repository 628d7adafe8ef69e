import { MongoClient, type Db } from 'mongodb';

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
