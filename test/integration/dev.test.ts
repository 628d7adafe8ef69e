import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { devStatePath, isProcessAlive, type DevState } from '../../src/config/dev-state';
import { demoSite } from '../../src/moodle-sim';
import { runCommand, startCommand, startNpmScript, type RunningCommand } from '../support/cli';
import { graphql } from '../support/graphql';
import { waitUntil } from '../support/wait';

const START_TIMEOUT_MS = 180_000;

/** `sms-sync dev` exits 128 + the signal's number, and npm passes the code on. */
const EXIT_ON: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * `sms-sync dev` as a newcomer runs it (`npm run dev`): its own Temporal dev
 * server and FerretDB (not the test run's), the simulator, worker and API, on
 * free ports, with a state folder of its own so a developer's running stack is
 * left alone.
 */
describe('sms-sync dev', () => {
  let stateDir: string;
  let dev: RunningCommand;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'sms-sync-dev-'));
    // Like a checkout's .local/: a root run hands the kept database to the postgres user, who must reach it.
    chmodSync(stateDir, 0o755);
    const { TEMPORAL_ADDRESS: _address, MONGODB_URI: _uri, API_PORT: _port, ...inherited } = process.env;
    env = { ...inherited, LOCAL_STATE_DIR: stateDir, LOG_LEVEL: 'info' };
    dev = startCommand(['dev'], env);
  });

  /**
   * `signal` to npm's PID alone (not its process group, as a terminal's Ctrl-C
   * would) stops every process within seconds.
   */
  async function stopsEverythingOn(signal: NodeJS.Signals, state: DevState): Promise<void> {
    expect(await dev.stop(signal)).toBe(EXIT_ON[signal]);
    const everything = [state.pid, ...state.servicePids];
    expect(await waitUntil(() => !everything.some(isProcessAlive), 10_000)).toBe(true);
    expect(existsSync(devStatePath(stateDir))).toBe(false);
  }

  /**
   * After a failed step `dev` still runs: stopped as Ctrl-C would, it stops every server it started.
   * SIGKILL gives it no such chance, so it comes only if that hangs, and then for those servers too.
   */
  afterAll(async () => {
    const stateFile = devStatePath(stateDir);
    const servicePids = existsSync(stateFile)
      ? (JSON.parse(readFileSync(stateFile, 'utf8')) as DevState).servicePids
      : [];
    const stopped = await Promise.race([
      dev?.stop('SIGINT').then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000)),
    ]);
    if (!stopped) await dev?.stop('SIGKILL');
    for (const pid of servicePids.filter(isProcessAlive)) process.kill(pid, 'SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }, 30_000);

  it(
    'starts everything, syncs, prints URLs and keys, serves synced enrollments and metrics, leaves a course NEW to ' +
      'triage, is found by other commands (which revoke the token of its simulator and add a course to it), ' +
      'and Ctrl-C leaves nothing behind',
    async () => {
      const [, readerKey] = await dev.waitForLine(/^Reader API key: (\S+)$/, START_TIMEOUT_MS);
      const [, uiUrl] = await dev.waitForLine(/^Temporal UI: (http:\/\/127\.0\.0\.1:\d+)$/, 1_000);
      const [, graphqlUrl] = await dev.waitForLine(/^GraphQL: (http:\/\/127\.0\.0\.1:\d+)\/graphql$/, 1_000);
      const [, adminKey] = await dev.waitForLine(/^Admin API key: (sms_\S+)$/, 1_000);
      const [, workerMetricsUrl, apiMetricsUrl] = await dev.waitForLine(
        /^Metrics: worker (http:\/\/127\.0\.0\.1:\d+\/metrics), API (http:\/\/127\.0\.0\.1:\d+\/metrics)$/,
        1_000,
      );
      const [, firstSyncId] = await dev.waitForLine(/^Synced: (enrollment-sync-manual-\S+): SUCCEEDED/, 1_000);
      const [, firstSeed] = await dev.waitForLine(/^Demo SMS data: (.*)$/, 1_000);
      // The demo's newest course is left for the newcomer's triage; the others are opened and enrolled.
      const triage = /^[1-9]\d* course\(s\) opened, 1 left NEW for you to triage \(id (\d+): (.+?)\), (.*)$/;
      const [, leftNewId, leftNewName, counts] = triage.exec(firstSeed!) ?? [];
      expect(counts).toMatch(/^\d+ student\(s\), [1-9]\d* enrollment\(s\)$/);
      const [, hooksUrl] = await dev.waitForLine(/^Moodle events: the simulator posts its changes to (\S+)$/, 1_000);
      expect(hooksUrl).toBe(`${graphqlUrl}/hooks/moodle`);
      await dev.waitForLine(/^Other terminals/, 5_000);

      const ui = await fetch(uiUrl!);
      expect(ui.status).toBe(200);
      // What Prometheus scrapes: the worker counts the runs it ran; the API exports the health read from MongoDB.
      const metrics = async (url: string) => (await fetch(url)).text();
      expect(await metrics(workerMetricsUrl!)).toMatch(/^sms_sync_runs_total\{[^}]*kind="COURSE"[^}]*\} [1-9]/m);
      expect(await metrics(apiMetricsUrl!)).toMatch(/^sms_sync_last_success_timestamp_seconds\{kind="COURSE"\} /m);

      const enrollments = await graphql<{
        enrollments: {
          totalCount: number;
          edges: {
            node: { lastSyncedAt: string | null; progress: { total: number } | null; course: { moodleId: number } };
          }[];
        };
      }>(
        graphqlUrl!,
        '{ enrollments(first: 100) { totalCount edges { node { ' +
          'lastSyncedAt progress { total } course { moodleId } } } } }',
        { key: readerKey },
      );
      expect(enrollments.body.errors).toBeUndefined();
      const nodes = enrollments.body.data!.enrollments.edges.map((edge) => edge.node);
      expect(nodes.length).toBeGreaterThan(0);
      expect(nodes.length).toBe(enrollments.body.data!.enrollments.totalCount);
      for (const node of nodes) {
        expect(node.lastSyncedAt).not.toBeNull();
        expect(node.progress).not.toBeNull();
      }
      expect(new Set(nodes.map((node) => node.course.moodleId))).toContain(101);

      // Another terminal in the same folder: no configuration but the state folder.
      const state = JSON.parse(readFileSync(devStatePath(stateDir), 'utf8')) as DevState;
      // Temporal, FerretDB and the PostgreSQL under it.
      expect(state.servicePids).toHaveLength(3);
      const { TEMPORAL_ADDRESS: _address, MONGODB_URI: _uri, ...bare } = env;
      const status = await runCommand(['status', '--json'], bare);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.output)).toMatchObject({ connection: 'HEALTHY', message: expect.any(String) });

      // The README's "See an alert fire": with the token revoked, a sync fails and the worker counts what
      // SmsSyncMoodlePermissionDenied reads; restored, the next sync (the course sync below) succeeds.
      expect((await runCommand(['moodle-sim', 'revoke-token'], bare)).code).toBe(0);
      const refused = await runCommand(['sync', 'courses', '--wait'], bare);
      expect(refused.code).toBe(2);
      expect(refused.output).toMatch(/: FAILED — MOODLE_INVALID_TOKEN: /);
      expect(await metrics(workerMetricsUrl!)).toMatch(
        /^sms_sync_moodle_call_errors_total\{[^}]*kind="invalid-token"[^}]*\} [1-9]/m,
      );
      expect((await runCommand(['moodle-sim', 'restore-token'], bare)).code).toBe(0);

      // Freshness (README "Try it locally"): the route takes a signed test event, and a grade set in the
      // simulated Moodle reaches GraphQL within seconds through the event it posts. The demo site is the
      // same in this process, so the new course total is computed here.
      const hookCheck = await runCommand(['hooks', 'test'], bare);
      expect([hookCheck.code, hookCheck.output]).toEqual([0, expect.stringMatching(/^OK: .*\/hooks\/moodle took/m)]);
      const aliceIn101 = async () => {
        const answer = await graphql<{
          course: {
            lastSyncTrigger: string | null;
            enrollments: { edges: { node: { student: { moodleUserId: number }; grade: { raw: number | null } } }[] };
          };
        }>(
          graphqlUrl!,
          '{ course(id: "101") { lastSyncTrigger enrollments { edges { node { student { moodleUserId } grade { raw } } } } } }',
          { key: readerKey },
        );
        const course = answer.body.data!.course;
        const alice = course.enrollments.edges.find((edge) => edge.node.student.moodleUserId === 2001)!;
        return { trigger: course.lastSyncTrigger, raw: alice.node.grade.raw };
      };
      // A graded activity whose new grade moves Alice's course total, so that the change shows.
      const courseTotal = (site: ReturnType<typeof demoSite>) => site.gradebook(101).courseTotal(2001).value;
      const before = courseTotal(demoSite());
      const change = demoSite()
        .gradeItems(101)
        .filter((candidate) => candidate.itemtype === 'mod')
        .map((item) => {
          const model = demoSite();
          const current = model.gradeOf(101, 2001, item.cmid!);
          const grade = current === item.grademax ? item.grademin : item.grademax;
          model.grade(101, 2001, item.cmid!, grade);
          return { item, grade, expected: courseTotal(model) };
        })
        .find(({ expected }) => expected !== before)!;
      const { item, grade, expected } = change;
      expect((await aliceIn101()).raw).toBe(before);
      const setAt = Date.now();
      const set = await runCommand(
        [
          'moodle-sim',
          'set-grade',
          '--course',
          '101',
          '--user',
          '2001',
          '--item',
          String(item.id),
          '--grade',
          String(grade),
        ],
        bare,
      );
      expect([set.code, set.output]).toEqual([0, expect.stringContaining(String.raw`POSTs \core\event\user_graded`)]);
      let seen = await aliceIn101();
      while ((seen.raw !== expected || seen.trigger !== 'MOODLE_EVENT') && Date.now() - setAt < 15_000) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        seen = await aliceIn101();
      }
      expect(seen).toEqual({ trigger: 'MOODLE_EVENT', raw: expected });

      // NEW-course triage (docs/product.md): the demo left one course NEW, and a course added to the
      // simulator from another terminal comes in as NEW with the next course sync.
      const newCourses = async () => {
        const courses = await graphql<{ courses: { edges: { node: { moodleId: number; fullName: string } }[] } }>(
          graphqlUrl!,
          '{ courses(states: [NEW]) { edges { node { moodleId fullName } } } }',
          { key: adminKey },
        );
        expect(courses.body.errors).toBeUndefined();
        return courses.body.data!.courses.edges.map((edge) => edge.node).sort((a, b) => a.moodleId - b.moodleId);
      };
      const leftNew = { moodleId: Number(leftNewId), fullName: leftNewName };
      expect(await newCourses()).toEqual([leftNew]);
      const added = await runCommand(['moodle-sim', 'add-course', '--name', 'Triage Practice 101'], bare);
      expect(added.code).toBe(0);
      const addedId = Number(/^Added course (\d+): Triage Practice 101 /m.exec(added.output)?.[1]);
      expect((await runCommand(['sync', 'courses', '--wait'], bare)).code).toBe(0);
      expect(await newCourses()).toEqual([leftNew, { moodleId: addedId, fullName: 'Triage Practice 101' }]);

      expect(await dev.stop('SIGINT')).toBe(130);
      expect(await waitUntil(() => !state.servicePids.some(isProcessAlive), 10_000)).toBe(true);
      expect(existsSync(devStatePath(stateDir))).toBe(false);

      // A restart carries on with what the last run kept: the demo data is there already, and so is
      // Temporal's history of the first run. This time as the README says, through npm, which scripts,
      // systemd and CI stop by signalling its one PID.
      dev = startNpmScript('dev', [], env);
      expect((await dev.waitForLine(/^Demo SMS data: (.*)$/, START_TIMEOUT_MS))[1]).toBe(
        `0 course(s) opened, 1 left NEW for you to triage (id ${leftNewId}: ${leftNewName}), ` +
          '0 student(s), 0 enrollment(s)',
      );
      await dev.waitForLine(/^Other terminals/, 5_000);
      // The simulator starts afresh, yet like Moodle never gives a course id twice.
      const again = await runCommand(['moodle-sim', 'add-course', '--name', 'Triage Practice 102'], bare);
      expect(Number(/^Added course (\d+)/m.exec(again.output)?.[1])).toBeGreaterThan(addedId);
      const restarted = JSON.parse(readFileSync(devStatePath(stateDir), 'utf8')) as DevState;
      const connection = await Connection.connect({ address: restarted.defaults.TEMPORAL_ADDRESS as string });
      try {
        const client = new Client({ connection });
        expect((await client.workflow.getHandle(firstSyncId!).describe()).status.name).toBe('COMPLETED');
      } finally {
        await connection.close();
      }
      await stopsEverythingOn('SIGTERM', restarted);

      // --fresh forgets it all: the demo data is added again.
      dev = startNpmScript('dev', ['--fresh'], env);
      expect((await dev.waitForLine(/^Demo SMS data: (.*)$/, START_TIMEOUT_MS))[1]).toBe(firstSeed);
      await dev.waitForLine(/^Other terminals/, 5_000);
      await stopsEverythingOn('SIGINT', JSON.parse(readFileSync(devStatePath(stateDir), 'utf8')) as DevState);
    },
    3 * START_TIMEOUT_MS,
  );
});
