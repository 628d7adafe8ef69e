import type { Db, Document } from 'mongodb';

/** Every document of every collection of `db`, collections by name and documents by `_id`. */
export async function snapshotDatabase(db: Db): Promise<Record<string, Document[]>> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name);
  const snapshot: Record<string, Document[]> = {};
  for (const name of names.sort()) {
    snapshot[name] = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
  }
  return snapshot;
}
