import { request } from 'undici';
import { runCommand, startCommand } from '../../support/cli';

describe('sms-sync moodle-sim', () => {
  it('serves the demo site on a free port, prints its URL, and stops on Ctrl-C', async () => {
    const command = startCommand(['moodle-sim', '--token', 'cli-token']);
    try {
      const [, url] = await command.waitForLine(/^Moodle simulator: (http:\/\/127\.0\.0\.1:\d+)$/);
      const response = await request(
        `${url}/webservice/rest/server.php?moodlewsrestformat=json&wsfunction=core_webservice_get_site_info`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'wstoken=cli-token',
        },
      );
      const site = (await response.body.json()) as { sitename: string; functions: unknown[] };
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
});
