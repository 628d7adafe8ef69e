import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { writeDevState } from '../../../src/config/dev-state';
import { runCommand, startCommand, type RunningCommand } from '../../support/cli';
import { startReceiver, type Receiver } from '../moodle-sim/receiver';

/** POSTs a web-service call to the simulator at `url`, as a Moodle client would. */
async function wsCall<T>(url: string, wsfunction: string, token: string): Promise<T> {
  const response = await request(`${url}/webservice/rest/server.php?moodlewsrestformat=json&wsfunction=${wsfunction}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `wstoken=${token}`,
  });
  return (await response.body.json()) as T;
}

describe('sms-sync moodle-sim', () => {
  it('serves the demo site on a free port, prints its URL, and stops on Ctrl-C', async () => {
    const command = startCommand(['moodle-sim', '--token', 'cli-token']);
    try {
      const [, url] = await command.waitForLine(/^Moodle simulator: (http:\/\/127\.0\.0\.1:\d+)$/);
      const site = await wsCall<{ sitename: string; functions: unknown[] }>(
        url!,
        'core_webservice_get_site_info',
        'cli-token',
      );
      expect(site.sitename).toBe('Example Academy');
      expect(site.functions.length).toBeGreaterThan(0);
    } finally {
      expect(await command.stop('SIGINT')).toBe(130);
    }
  });

  it('rejects a bad option with a clear message and a failing exit code', async () => {
    const { code, output } = await runCommand(['moodle-sim', '--courses', 'many']);
    expect(code).not.toBe(0);
    expect(output).toContain(
      "option '--courses <n>' argument 'many' is invalid. expected a whole number from 3 to 5000",
    );
  });

  /** The commands that change the running simulator, as a newcomer uses them beside `npm run dev`. */
  describe('controlling the running simulator', () => {
    let simulator: RunningCommand;
    let url: string;
    let stateDir: string;
    /** The environment of another terminal: no Moodle settings, a state folder of its own. */
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      simulator = startCommand(['moodle-sim', '--token', 'sim-token']);
      [, url] = (await simulator.waitForLine(/^Moodle simulator: (\S+)$/)) as [string, string];
    });

    beforeEach(() => {
      stateDir = mkdtempSync(path.join(tmpdir(), 'sms-sync-add-course-'));
      const { MOODLE_URL: _url, MOODLE_TOKEN: _token, ...inherited } = process.env;
      env = { ...inherited, LOCAL_STATE_DIR: stateDir };
    });

    afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

    afterAll(async () => {
      await simulator?.stop('SIGINT');
    });

    /** What a running `sms-sync dev` leaves for other terminals (this test process stands in for it). */
    const runDevStack = () =>
      writeDevState(stateDir, {
        pid: process.pid,
        servicePids: [],
        graphqlUrl: 'http://127.0.0.1:1/graphql',
        defaults: { MOODLE_URL: url, MOODLE_TOKEN: 'sim-token' },
      });

    it('adds a course to the simulator of the running dev stack, prints its id, and Moodle lists it', async () => {
      runDevStack();
      const { code, output } = await runCommand(['moodle-sim', 'add-course', '--name', 'History 101'], env);
      expect(code).toBe(0);
      expect(output).toMatch(/^Added course \d+: History 101 \(short name "History 101", category 1\)$/m);
      expect(output).toContain('sms-sync sync courses --wait');
      const id = Number(/^Added course (\d+)/m.exec(output)?.[1]);

      const courses = await wsCall<{ id: number; fullname: string; visible: number }[]>(
        url,
        'core_course_get_courses',
        'sim-token',
      );
      expect(courses.find((course) => course.id === id)).toMatchObject({ fullname: 'History 101', visible: 1 });
    });

    it('takes MOODLE_URL and MOODLE_TOKEN, and a short name of its own', async () => {
      const args = ['moodle-sim', 'add-course', '--name', 'Geography 120', '--shortname', 'GEO120'];
      const { code, output } = await runCommand(args, { ...env, MOODLE_URL: url, MOODLE_TOKEN: 'sim-token' });
      expect(code).toBe(0);
      expect(output).toMatch(/^Added course \d+: Geography 120 \(short name "GEO120", category 1\)$/m);
    });

    it('refuses an empty name with the reason and exit code 64', async () => {
      const { code, output } = await runCommand(['moodle-sim', 'add-course', '--name', ''], {
        ...env,
        MOODLE_URL: url,
        MOODLE_TOKEN: 'sim-token',
      });
      expect(code).toBe(64);
      expect(output.trim()).toBe('a course needs a full name');
    });

    it('without a running dev stack or the variables, says what is missing and exits 78', async () => {
      const { code, output } = await runCommand(['moodle-sim', 'add-course', '--name', 'History 101'], env);
      expect(code).toBe(78);
      expect(output).toContain('MOODLE_URL: required but not set');
      expect(output).toContain('npm run dev');
    });

    it('revokes the token of the running dev stack, says which alert fires, and restores it', async () => {
      runDevStack();
      const siteInfo = () => wsCall<{ errorcode?: string }>(url, 'core_webservice_get_site_info', 'sim-token');
      const revoked = await runCommand(['moodle-sim', 'revoke-token'], env);
      expect(revoked.code).toBe(0);
      expect(revoked.output).toMatch(/^Moodle now refuses the token \(invalidtoken\).*MOODLE_INVALID_TOKEN/m);
      expect(revoked.output).toContain('SmsSyncMoodlePermissionDenied fires');
      expect(revoked.output).toContain('SmsSyncFailing only after 35 minutes');
      expect(revoked.output).toContain('Undo: npx sms-sync moodle-sim restore-token');
      expect((await siteInfo()).errorcode).toBe('invalidtoken');

      const restored = await runCommand(['moodle-sim', 'restore-token'], env);
      expect(restored.code).toBe(0);
      expect(restored.output).toMatch(/^Moodle accepts the token again/m);
      expect((await siteInfo()).errorcode).toBeUndefined();
    });

    it('sets a grade, and says that no event was sent by a simulator without --events-url', async () => {
      const args = ['moodle-sim', 'set-grade', '--course', '101', '--user', '2001', '--activity', 'Mock exam'];
      const { code, output } = await runCommand([...args, '--grade', '15'], {
        ...env,
        MOODLE_URL: url,
        MOODLE_TOKEN: 'sim-token',
      });
      expect(code).toBe(0);
      expect(output).toMatch(
        /^Graded Alice Martin \(user 2001\) in "Mock exam" \(grade item 3007, course 101\): 15 of 0–20$/m,
      );
      expect(output).toContain('No event sent');
      expect(output).toContain('npx sms-sync sync enrollments --course 101 --wait');
    });

    it("refuses a token that is not the simulator's, and exits 1", async () => {
      const { code, output } = await runCommand(['moodle-sim', 'revoke-token'], {
        ...env,
        MOODLE_URL: url,
        MOODLE_TOKEN: 'another-token',
      });
      expect(code).toBe(1);
      expect(output.trim()).toBe(`the Moodle simulator at ${url} refused the token (MOODLE_TOKEN)`);
      expect(await wsCall(url, 'core_course_get_courses', 'sim-token')).toEqual(expect.any(Array));
    });
  });

  /** The simulator as a Moodle with the local_webhooks plugin, POSTing to a receiver standing in for the API. */
  describe('Moodle events', () => {
    const SECRET = 'cli-webhook-secret-0123456789';
    /** This process's environment without Moodle settings, so that only what a test gives counts. */
    const bareEnv = () => {
      const { MOODLE_URL: _url, MOODLE_TOKEN: _token, MOODLE_WEBHOOK_SECRET: _secret, ...inherited } = process.env;
      return inherited;
    };

    it('refuses --events-url without MOODLE_WEBHOOK_SECRET, as a usage error (64)', async () => {
      const { code, output } = await runCommand(['moodle-sim', '--events-url', 'http://127.0.0.1:1/hooks'], bareEnv());
      expect(code).toBe(64);
      expect(output.trim()).toBe(
        '--events-url needs the shared secret in MOODLE_WEBHOOK_SECRET (the same value the API is given)',
      );
    });

    it('refuses an --events-url that is not an http(s) URL', async () => {
      const { code, output } = await runCommand(['moodle-sim', '--events-url', 'hooks.example.org'], {
        ...bareEnv(),
        MOODLE_WEBHOOK_SECRET: SECRET,
      });
      expect(code).toBe(64);
      expect(output).toContain("option '--events-url <url>' argument 'hooks.example.org' is invalid");
    });

    describe('a simulator started with --events-url', () => {
      let receiver: Receiver;
      let simulator: RunningCommand;
      let url: string;
      const control = () => ({ ...bareEnv(), MOODLE_URL: url, MOODLE_TOKEN: 'sim-token' });

      beforeAll(async () => {
        receiver = await startReceiver();
        const args = ['moodle-sim', '--token', 'sim-token', '--events-url', receiver.url];
        simulator = startCommand(args, { ...bareEnv(), MOODLE_WEBHOOK_SECRET: SECRET });
        [, url] = (await simulator.waitForLine(/^Moodle simulator: (\S+)$/)) as [string, string];
        await simulator.waitForLine(/^Site: /);
      });

      afterAll(async () => {
        await simulator?.stop('SIGINT');
        await receiver?.close();
      });

      it('prints where the events go, and never the secret', () => {
        expect(simulator.output()).toContain(`Events: POST to ${receiver.url}`);
        expect(simulator.output()).not.toContain(SECRET);
      });

      it("set-grade grades the course's first graded activity, and the event reaches the receiver", async () => {
        const args = ['moodle-sim', 'set-grade', '--course', '101', '--user', '2002', '--grade', '55.5'];
        const { code, output } = await runCommand(args, control());
        expect(code).toBe(0);
        expect(output).toMatch(
          /^Graded Bongani Dlamini \(user 2002\) in "Essay 1: Romantic poets" \(grade item 3003, course 101\): 55\.5 of 0–100$/m,
        );
        expect(output).toContain(String.raw`The simulator POSTs \core\event\user_graded to its events URL`);
        expect(output).not.toContain(SECRET);

        await receiver.waitForPosts(1);
        expect(receiver.posts.map((post) => post.body)).toEqual([
          expect.objectContaining({
            eventname: String.raw`\core\event\user_graded`,
            courseid: 101,
            relateduserid: 2002,
            other: { itemid: 3003, overridden: false, finalgrade: 55.5 },
            host: '127.0.0.1',
            token: SECRET,
          }),
        ]);
      });

      it('set-grade refuses a grade outside the range, or an item and an activity at once, as usage errors', async () => {
        const outOfRange = await runCommand(
          ['moodle-sim', 'set-grade', '--course', '101', '--user', '2002', '--item', '3004', '--grade', '11'],
          control(),
        );
        expect(outOfRange.code).toBe(64);
        expect(outOfRange.output.trim()).toBe('grade 11 is outside 0..10 of grade item 3004');

        const both = await runCommand(
          [
            'moodle-sim',
            'set-grade',
            '--course',
            '101',
            '--user',
            '2002',
            '--item',
            '3004',
            '--activity',
            'Quiz',
            '--grade',
            '8',
          ],
          control(),
        );
        expect(both.code).toBe(64);
        expect(both.output).toContain("option '--item <id>' cannot be used with option '--activity <name>'");

        const notANumber = await runCommand(
          ['moodle-sim', 'set-grade', '--course', '101', '--user', '2002', '--grade', 'B+'],
          control(),
        );
        expect(notANumber.code).toBe(64);
        expect(notANumber.output).toContain("argument 'B+' is invalid. expected a number such as 8.5");
      });
    });
  });
});
