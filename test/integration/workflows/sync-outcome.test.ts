import type { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { seedDemoEnrollments } from '../../../src/local/dev-stack';
import { generateSite } from '../../../src/moodle-sim';
import {
  assertSearchAttributesRegistered,
  registerSearchAttributes,
  SearchAttributesNotRegisteredError,
} from '../../../src/temporal/search-attributes';
import { createWorker } from '../../../src/temporal/worker';
import { uniqueName } from '../../support/environment';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness';

/**
 * What ops see of a run in the Temporal UI: real syncs against the Moodle simulator on the shared dev
 * server, found the way the UI's filter finds them (`SyncOutcome = "PARTIAL"`).
 */

const TOKEN = '0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c';
/** Visibility is eventually consistent: a closed run shows up in a list a moment later. */
const VISIBILITY_WAIT_MS = 10_000;

async function listIds(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids.sort();
}

/** The ids `query` lists once they are `expected`, or the last ones listed when the wait ran out. */
async function listedOnceVisible(client: Client, query: string, expected: string[]): Promise<string[]> {
  const deadline = Date.now() + VISIBILITY_WAIT_MS;
  for (;;) {
    const ids = await listIds(client, query);
    if (JSON.stringify(ids) === JSON.stringify(expected) || Date.now() > deadline) return ids;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('sync outcomes in the Temporal UI', () => {
  let harness: SyncHarness;

  beforeAll(async () => {
    harness = await startSyncHarness({
      site: generateSite({ seed: 'sync-outcome', courses: 3, studentsPerCourse: 2, activitiesPerCourse: 2 }),
      token: TOKEN,
    });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('lets ops filter PARTIAL runs from clean ones, and shows their counts in the memo', async () => {
    const { client, taskQueue } = harness.temporal;
    const courseSync = await harness.runCourseSync();
    const courseSyncId = (await harness.stores.syncRuns.get(courseSync.syncRunId))!.workflowId;
    const seeded = await seedDemoEnrollments(harness.stores, harness.sim.site, new Date());
    const clean = uniqueName('enrollment-sync-clean');
    expect((await harness.runEnrollmentSync({}, clean)).outcome).toBe('SUCCEEDED');
    const [denied] = harness.sim.site.courses().filter((course) => course.format !== 'site');
    harness.sim.site.denyCourseAccess(denied!.id);
    const partial = uniqueName('enrollment-sync-partial');
    const result = await harness.runEnrollmentSync({}, partial);
    expect(result.outcome).toBe('PARTIAL');

    // This file's task queue keeps out the runs of other test files on the shared server.
    const ofThisFile = `TaskQueue = "${taskQueue}"`;
    const partialRuns = await listedOnceVisible(client, `SyncOutcome = "PARTIAL" AND ${ofThisFile}`, [partial]);
    expect(partialRuns).toEqual([partial]);
    const cleanRuns = [courseSyncId, clean].sort();
    expect(await listedOnceVisible(client, `SyncOutcome = "SUCCEEDED" AND ${ofThisFile}`, cleanRuns)).toEqual(
      cleanRuns,
    );

    const { memo } = await client.workflow.getHandle(partial).describe();
    expect(memo?.counts).toEqual(result.counts);
    // Every course the demo seed enrolled students in syncs, but the one whose access was denied.
    const coursesSynced = seeded.coursesOpened - 1;
    expect(memo?.counts).toMatchObject({ coursesFailed: 1, coursesDenied: 1, coursesSynced });
    expect((await client.workflow.getHandle(courseSyncId).describe()).memo?.counts).toEqual(courseSync.counts);
  });

  it('refuses to start a worker on a namespace without SyncOutcome, naming the command that registers it', async () => {
    const { connection, client } = harness.temporal;
    const namespace = uniqueName('bare');
    await client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const options = { connection, namespace, taskQueue: uniqueName('bare'), activities: {} as never };

    const refusal = await createWorker(options).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SearchAttributesNotRegisteredError);
    expect((refusal as Error).message).toContain(
      `temporal operator search-attribute create --namespace ${namespace} --name SyncOutcome --type Keyword`,
    );

    await registerSearchAttributes(client.connection.operatorService, namespace);
    await expect(assertSearchAttributesRegistered(connection.operatorService, namespace)).resolves.toBeUndefined();
  });
});
