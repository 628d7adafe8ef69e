import type { Command } from 'commander';
import packageJson from '../../../package.json';
import { buildProgram } from '../../../src/cli';
import { runCommand } from '../../support/cli';

/** Every command and subcommand, by its full name (`schedules trigger`). */
function allCommands(command: Command, prefix: string[] = []): [string, Command][] {
  return command.commands.flatMap((sub) => {
    const name = [...prefix, sub.name()];
    return [[name.join(' '), sub] as [string, Command], ...allCommands(sub, name)];
  });
}

describe('sms-sync help', () => {
  const program = buildProgram();
  const commands = allCommands(program);

  it('offers every command of the issue', () => {
    expect(commands.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'dev',
        'worker',
        'api',
        'api-key',
        'moodle-sim',
        'status',
        'sync courses',
        'sync enrollments',
        'replay',
        'schedules apply',
        'schedules pause',
        'schedules resume',
        'schedules trigger',
        'schedules describe',
        'courses confirm-deletions',
      ]),
    );
  });

  it.each(allCommands(buildProgram()))('describes "%s" and its options', (name, command) => {
    const help = command.helpInformation();
    expect(help).toContain(`Usage: sms-sync ${name}`);
    expect(command.description()).not.toBe('');
    for (const option of command.options) expect(help).toContain(option.flags);
  });

  it('documents the options the runbook relies on', () => {
    const help = (name: string) => commands.find(([full]) => full === name)![1].helpInformation();
    expect(help('status')).toContain('--json');
    expect(help('replay')).toMatch(/--failed[\s\S]*--since <duration>[\s\S]*--course <id\.\.\.>[\s\S]*--dry-run/);
    expect(help('sync enrollments')).toMatch(/--course <id\.\.\.>[\s\S]*--wait/);
    expect(help('schedules trigger')).toContain('BUFFER_ONE');
  });

  it('shows the replay look-back default, and replays the failed syncs without being told --failed', () => {
    const replay = commands.find(([full]) => full === 'replay')![1];
    expect(replay.helpInformation()).toMatch(
      /--since <duration>\s+only failures seen this recently \(30m, 2h, 7d\) \(default:\s+24h\)/,
    );
    let parsed: Record<string, unknown> | undefined;
    replay.action((options: Record<string, unknown>) => {
      parsed = options;
    });
    replay.parse(['--dry-run'], { from: 'user' });
    expect(parsed).toEqual({ since: 24 * 3_600_000, dryRun: true, wait: true });
  });

  it('prints its version, and exits 0', async () => {
    const { code, output } = await runCommand(['--version']);
    expect(code).toBe(0);
    expect(output.trim()).toBe(packageJson.version);
  });

  it('prints the top-level help with the exit codes, and exits 0', async () => {
    const { code, output } = await runCommand(['--help']);
    expect(code).toBe(0);
    expect(output).toContain('Usage: sms-sync [options] [command]');
    expect(output).toMatch(/Exit codes: 0 .*\n2 a sync failed/);
  });

  it('exits 64 on a wrong command line, naming the problem', async () => {
    const { code, output } = await runCommand(['replay', '--since', 'yesterday', '--failed']);
    expect(code).toBe(64);
    expect(output).toContain(
      "option '--since <duration>' argument 'yesterday' is invalid. expected a duration such as 30m, 2h or 7d",
    );
  });
});
