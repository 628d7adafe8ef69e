import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { startDevStack, type DevStack } from '../../src/local/dev-stack';
import { createLogger } from '../../src/logger';
import { runCommand } from '../support/cli';
import { uniqueName, workflowBundlePath } from '../support/environment';
import { graphql } from '../support/graphql';

const GRADEBOOK_FUNCTION = 'gradereport_user_get_grade_items';

/**
 * The technician's path on the dev stack, run in-process so the test can
 * reach the simulated Moodle (production code has no hook for that), while
 * every step the technician takes is the real `sms-sync` command line.
 */
describe('a technician fixes Moodle permissions and replays what failed', () => {
  let stack: DevStack;
  let env: NodeJS.ProcessEnv;
  let stateDir: string;
  let readerUrl: string;

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    // A Temporal server of its own: the schedules' ids are per namespace,
    // and other test files own them on the shared one.
    const { TEMPORAL_ADDRESS: _address, ...inherited } = process.env;
    const config = loadConfig({
      ...inherited,
      MONGODB_DB: uniqueName('sms_technician').replace('-', '_'),
      TEMPORAL_TASK_QUEUE: uniqueName('technician'),
    });
    stack = await startDevStack(config, { log: createLogger('silent'), workflowBundlePath: workflowBundlePath() });
    stateDir = mkdtempSync(path.join(tmpdir(), 'sms-sync-technician-'));
    env = {
      ...inherited,
      LOCAL_STATE_DIR: stateDir,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      MONGODB_URI: stack.mongoUri,
      MONGODB_DB: config.mongo.database,
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    };
    readerUrl = stack.graphqlUrl.replace(/\/graphql$/, '');
  }, 120_000);

  afterAll(async () => {
    await stack?.connections.database.db.dropDatabase();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const enrollments = () => stack.connections.stores.enrollments.collection.find({}).sort({ _id: 1 }).toArray();
  const syncStatus = async () =>
    (
      await graphql<{ syncStatus: { connection: string; cause: string | null; message: string } }>(
        readerUrl,
        '{ syncStatus { connection cause message } }',
        { key: stack.apiKeys.reader },
      )
    ).body.data!.syncStatus;

  it(
    'sees FAILING with the cause, fixes Moodle, replays, ' +
      'and is HEALTHY with every enrollment right and none duplicated',
    async () => {
      const site = stack.simulator!.site;
      const before = await enrollments();
      expect(before.length).toBeGreaterThan(0);
      expect((await runCommand(['status'], env)).code).toBe(0);

      // The Moodle admin takes the gradebook function out of the sync's service, and grades change meanwhile.
      site.removeFunction(GRADEBOOK_FUNCTION);
      const changed = before.find((enrollment) =>
        site.gradeItems(enrollment.courseId).some((item) => item.itemtype === 'mod'),
      )!;
      const item = site.gradeItems(changed.courseId).find((candidate) => candidate.itemtype === 'mod')!;
      site.overrideGrade(changed.courseId, changed.moodleUserId, item.id, item.grademax);

      const failed = await runCommand(['sync', 'enrollments', '--wait'], env);
      expect(failed.output).toMatch(/enrollment-sync-manual-\S+: FAILED/);
      expect(failed.code).toBe(2);

      const failing = await runCommand(['status', '--json'], env);
      expect(failing.code).toBe(2);
      const failingStatus = JSON.parse(failing.output) as { connection: string; cause: string; message: string };
      expect(failingStatus).toMatchObject({ connection: 'FAILING', cause: 'FUNCTION_NOT_ALLOWED' });
      expect(failingStatus.message).toContain(GRADEBOOK_FUNCTION);
      expect(await syncStatus()).toMatchObject({
        connection: 'FAILING',
        cause: 'FUNCTION_NOT_ALLOWED',
        message: failingStatus.message,
      });

      // The fix, then the replay: first what it would do, then doing it.
      site.addFunction(GRADEBOOK_FUNCTION);
      const dryRun = await runCommand(['replay', '--failed', '--dry-run'], env);
      expect(dryRun.code).toBe(0);
      expect(dryRun.output).toContain('enrollment sync: yes, every course');
      expect(dryRun.output).toContain('Dry run: nothing was started.');

      const replay = await runCommand(['replay', '--failed', '--since', '1h'], env);
      expect(replay.output).toMatch(/enrollment-sync-replay-\S+: SUCCEEDED/);
      expect(replay.code).toBe(0);

      const healthy = await runCommand(['status', '--json'], env);
      expect(JSON.parse(healthy.output)).toMatchObject({ connection: 'HEALTHY', cause: null });
      expect(healthy.code).toBe(0);
      expect(await syncStatus()).toMatchObject({ connection: 'HEALTHY' });

      // Every enrollment is the one it was (none added, none lost), synced,
      // and the grade changed during the outage is in.
      const after = await enrollments();
      expect(after.map((enrollment) => enrollment._id.toHexString())).toEqual(
        before.map((enrollment) => enrollment._id.toHexString()),
      );
      for (const enrollment of after) {
        expect(enrollment.syncError).toBeNull();
        expect(enrollment.lastSyncedAt).toBeInstanceOf(Date);
      }
      const [reportCard] = await stack.connections.stores.reportCards.ofEnrollments([changed._id.toHexString()]);
      expect(reportCard?.lines.find((entry) => entry.gradeItemId === item.id)?.raw).toBe(item.grademax);
      expect(await stack.connections.stores.syncErrors.open()).toEqual([]);

      // A second replay finds nothing left to do.
      const again = await runCommand(['replay'], env);
      expect(again.output).toContain('nothing to replay');
      expect(again.code).toBe(0);
    },
  );

  it('refuses a course id the SMS does not know, as the API does, and starts nothing', async () => {
    const runsBefore = await stack.connections.stores.syncRuns.count();
    const typo = await runCommand(['sync', 'enrollments', '--course', '999', '--wait'], env);
    expect(typo.code).toBe(64);
    expect(typo.output).toContain('No course has id 999. Nothing was started.');
    const api = await graphql(readerUrl, 'mutation { triggerEnrollmentSync(courseIds: ["999"]) { workflowIds } }', {
      key: stack.apiKeys.admin,
    });
    expect(api.body.errors?.[0]).toMatchObject({ message: 'No course has id 999.', extensions: { code: 'NOT_FOUND' } });
    expect(await stack.connections.stores.syncRuns.count()).toBe(runsBefore);
  });

  it('lists no next runs for a paused schedule, and says how to resume it', async () => {
    expect((await runCommand(['schedules', 'pause', 'enrollment-sync', '--reason', 'Moodle upgrade'], env)).code).toBe(
      0,
    );
    try {
      const text = await runCommand(['schedules', 'describe', 'enrollment-sync'], env);
      expect(text.output).toContain('enrollment-sync: PAUSED');
      expect(text.output).toContain('note: Moodle upgrade');
      expect(text.output).toContain('next: none while paused ("sms-sync schedules resume" to resume)');
      const [described] = JSON.parse(
        (await runCommand(['schedules', 'describe', 'enrollment-sync', '--json'], env)).output,
      ) as { next: string[] }[];
      expect(described?.next).toEqual([]);
    } finally {
      expect((await runCommand(['schedules', 'resume', 'enrollment-sync'], env)).code).toBe(0);
    }
    const [resumed] = JSON.parse(
      (await runCommand(['schedules', 'describe', 'enrollment-sync', '--json'], env)).output,
    ) as { next: string[] }[];
    expect(resumed?.next).toHaveLength(3);
  });
});
