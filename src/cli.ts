import { Argument, Command, Option } from 'commander';
import packageJson from '../package.json';
import { runApiCommand } from './commands/api';
import { runApiKeyCommand } from './commands/api-key';
import { runConfirmDeletionsCommand } from './commands/courses';
import { runDevCommand } from './commands/dev';
import { runHooksTestCommand } from './commands/hooks';
import {
  eventsUrl,
  gradeValue,
  runMoodleSimAddCourseCommand,
  runMoodleSimCommand,
  runMoodleSimSetGradeCommand,
  runMoodleSimTokenCommand,
} from './commands/moodle-sim';
import { courseIds, lookBack, wholeNumber } from './commands/options';
import { DEFAULT_REPLAY_WINDOW } from './use-cases/replay';
import { runReplayCommand } from './commands/replay';
import {
  runSchedulesApply,
  runSchedulesDescribe,
  runSchedulesPause,
  runSchedulesResume,
  runSchedulesTrigger,
  SCHEDULE_ID_LIST,
} from './commands/schedules';
import { runStatusCommand } from './commands/status';
import { runSyncCommand } from './commands/sync';
import { runWorkerCommand } from './commands/worker';

const EXIT_CODES_HELP = `
Exit codes: 0 done (sync succeeded, connection HEALTHY); 1 unexpected failure (a server unreachable);
2 a sync failed, connection FAILING; 3 a sync did part of its work, connection DEGRADED or UNKNOWN;
64 wrong command line; 78 missing or invalid configuration.
status, sync, replay, schedules and courses use a "sms-sync dev" running from this folder for any
server address that is not set in the environment.`;

const JSON_OPTION = ['--json', 'print JSON for scripts instead of text for people'] as const;
const COURSE_OPTION = ['--course <id...>', 'only these Moodle course ids', courseIds] as const;

function scheduleArgument(): Argument {
  return new Argument('[schedule]', 'one schedule; both when omitted').choices(SCHEDULE_ID_LIST);
}

/** The `sms-sync` command line (run by main.ts; tests read its help in-process). */
export function buildProgram(): Command {
  const program = new Command('sms-sync')
    .description('Keeps the Student Management System in step with Moodle through Temporal workflows.')
    // Usage errors (and --help) end through parseAsync's catch below, with EX_USAGE; subcommands inherit this.
    .version(packageJson.version)
    .exitOverride()
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES_HELP);

  program
    .command('dev')
    .description(
      'run the complete stack locally (Temporal with UI, database, Moodle simulator, worker, API), ' +
        'sync once, print URLs and keys',
    )
    .option('--fresh', 'start from empty data: forget the database and the Temporal history kept in LOCAL_STATE_DIR')
    .option(
      '--prometheus',
      'also start Prometheus (PROMETHEUS_PATH) scraping the worker and the API, with the alert rules',
    )
    .action((options: { fresh?: boolean; prometheus?: boolean }) =>
      runDevCommand({ fresh: options.fresh === true, prometheus: options.prometheus === true }),
    );

  program
    .command('worker')
    .description('run a Temporal worker for the sync workflows and activities')
    .action(runWorkerCommand);

  program.command('api').description('serve the GraphQL API for the SMS front end and admins').action(runApiCommand);

  program
    .command('status')
    .description('show the connection state (HEALTHY, DEGRADED, FAILING, UNKNOWN), its cause and the latest syncs')
    .option(...JSON_OPTION)
    .action(runStatusCommand);

  const sync = program.command('sync').description('start a course or enrollment sync now');
  sync
    .command('courses')
    .description("mirror Moodle's course list now")
    .option('--wait', 'wait for the sync to finish and report its outcome')
    .option(...JSON_OPTION)
    .action((options: { wait?: boolean; json?: boolean }) => runSyncCommand('courses', options));
  sync
    .command('enrollments')
    .description('read the gradebooks into the SMS enrollments now (every followed course, or --course)')
    .option(...COURSE_OPTION)
    .option('--wait', 'wait for the sync to finish and report its outcome')
    .option(...JSON_OPTION)
    .action((options: { course?: number[]; wait?: boolean; json?: boolean }) => runSyncCommand('enrollments', options));

  program
    .command('replay')
    .description('after a fix on the Moodle side, re-run what failed (idempotent) and report the outcome')
    .option('--failed', 're-run the failed syncs, from the open sync errors (the default: the only kind of replay)')
    .addOption(
      new Option('--since <duration>', 'only failures seen this recently (30m, 2h, 7d)')
        .argParser(lookBack)
        .default(DEFAULT_REPLAY_WINDOW.ms, DEFAULT_REPLAY_WINDOW.text),
    )
    .option(...COURSE_OPTION)
    .option('--dry-run', 'only show what would be re-run')
    .option('--no-wait', 'start the syncs and return without waiting for their outcome')
    .option(...JSON_OPTION)
    .action(runReplayCommand);

  const schedules = program.command('schedules').description('the course-sync and enrollment-sync Temporal schedules');
  schedules
    .command('apply')
    .description('create the schedules, or bring them to the configured intervals (a pause is kept)')
    .action(runSchedulesApply);
  schedules
    .command('pause')
    .description('pause scheduled syncs (manual syncs and replays still run)')
    .addArgument(scheduleArgument())
    .option('--reason <text>', 'the note shown in the Temporal UI')
    .action(runSchedulesPause);
  schedules
    .command('resume')
    .description('resume paused schedules')
    .addArgument(scheduleArgument())
    .option('--reason <text>', 'the note shown in the Temporal UI')
    .action(runSchedulesResume);
  schedules
    .command('trigger')
    .description('run the scheduled sync now; during a run, one more run follows it (overlap BUFFER_ONE)')
    .addArgument(scheduleArgument())
    .action(runSchedulesTrigger);
  schedules
    .command('describe')
    .description('show state, note, interval, running, recent and next runs')
    .addArgument(scheduleArgument())
    .option(...JSON_OPTION)
    .action(runSchedulesDescribe);

  program
    .command('courses')
    .description('course administration')
    .command('confirm-deletions')
    .description('apply the course deletions a course sync held back (all held ones, or --course)')
    .option(...COURSE_OPTION)
    .option(...JSON_OPTION)
    .action(runConfirmDeletionsCommand);

  program
    .command('hooks')
    .description("Moodle's events (POST /hooks/moodle)")
    .command('test')
    .description('send a signed test event to the API, as Moodle would, and say whether it was taken')
    .option('--url <url>', 'where Moodle posts (default: the running "sms-sync dev", else API_HOST:API_PORT)')
    .action(runHooksTestCommand);

  program
    .command('api-key')
    .description('create an API key and print the API_KEYS entry (a hash) that grants it')
    .addOption(new Option('--role <role>', 'what the key may do').choices(['reader', 'admin']).makeOptionMandatory())
    .action(runApiKeyCommand);

  const moodleSim = program
    .command('moodle-sim')
    .description("serve a simulated Moodle site that speaks Moodle's REST web-service protocol")
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: a free one)', wholeNumber(0, 65535), 0)
    .option('--token <token>', 'the web-service token the site accepts', 'demo-token')
    .option('--seed <seed>', '"demo" for the example site, anything else for a generated one', 'demo')
    .option('--courses <n>', 'generate this many courses', wholeNumber(3, 5000))
    .option('--students <n>', 'students per generated course', wholeNumber(1, 2000), 30)
    .option('--activities <n>', 'activities and resources per generated course', wholeNumber(1, 200), 12)
    .option('--latency <ms>', 'base latency of every call', wholeNumber(0, 60_000), 0)
    .option(
      '--events-url <url>',
      "POST Moodle events there, as the local_webhooks plugin does (e.g. the API's /hooks/moodle); " +
        'the shared secret comes from MOODLE_WEBHOOK_SECRET',
      eventsUrl,
    )
    .action(runMoodleSimCommand);
  moodleSim
    .command('add-course')
    .description('add a course to the running simulator (of "sms-sync dev"); the next course sync finds it as NEW')
    .requiredOption('--name <full name>', 'the course full name')
    .option('--shortname <short name>', 'the course short name (default: the full name)')
    .action(runMoodleSimAddCourseCommand);
  moodleSim
    .command('set-grade')
    .description(
      "set a student's grade on the running simulator, as a teacher would; with --events-url, it POSTs the event",
    )
    .requiredOption('--course <id>', 'the Moodle course id', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .requiredOption('--user <id>', "the student's Moodle user id", wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .addOption(
      new Option('--item <id>', 'the grade item (default: the first graded activity on the course page)')
        .argParser(wholeNumber(1, Number.MAX_SAFE_INTEGER))
        .conflicts('activity'),
    )
    .option('--activity <name>', 'the graded activity, by name')
    .requiredOption('--grade <n>', "the grade, within the item's range", gradeValue)
    .action(runMoodleSimSetGradeCommand);
  moodleSim
    .command('revoke-token')
    .description('make the running simulator refuse its token (invalidtoken): syncs fail, the alert fires')
    .action(() => runMoodleSimTokenCommand({ revoked: true }));
  moodleSim
    .command('restore-token')
    .description('make the running simulator accept its token again, undoing revoke-token')
    .action(() => runMoodleSimTokenCommand({ revoked: false }));

  return program;
}
