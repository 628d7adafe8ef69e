import type { Db } from 'mongodb';

export interface PingDeps {
  db: Db;
  now: () => Date;
}

/** Proves the worker can reach MongoDB: records who pinged and when. */
export function createPingActivities({ db, now }: PingDeps) {
  return {
    async recordPing(workflowId: string): Promise<string> {
      const result = await db.collection('pings').insertOne({ workflowId, at: now() });
      return result.insertedId.toHexString();
    },
  };
}
