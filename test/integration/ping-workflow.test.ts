import { ObjectId } from 'mongodb';
import { createActivities } from '../../activities';
import { createWorker } from '../../src/temporal/worker';
import { pingWorkflow } from '../../workflows';
import { openTemporal, openTestDatabase, uniqueName, workflowBundlePath, type TestTemporal } from '../support/environment';
import type { Database } from '../../src/store/mongo';

describe('a workflow on the real Temporal dev server writing to the real database', () => {
  let temporal: TestTemporal;
  let database: Database;

  beforeAll(async () => {
    temporal = await openTemporal();
    database = await openTestDatabase();
  });

  afterAll(async () => {
    await database?.close();
    await temporal?.close();
  });

  it('runs pingWorkflow, whose activity inserts a document', async () => {
    const pingedAt = new Date('2026-01-02T03:04:05Z');
    const worker = await createWorker({
      connection: temporal.connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      activities: createActivities({ db: database.db, now: () => pingedAt }),
      workflowBundlePath: workflowBundlePath(),
    });
    const workflowId = uniqueName('ping');

    const insertedId = await worker.runUntil(
      temporal.client.workflow.execute(pingWorkflow, { taskQueue: temporal.taskQueue, workflowId }),
    );

    const stored = await database.db.collection('pings').findOne({ _id: new ObjectId(insertedId) });
    expect(stored).toMatchObject({ workflowId, at: pingedAt });
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    expect(history.events?.some((event) => event.activityTaskCompletedEventAttributes)).toBe(true);
  });
});
