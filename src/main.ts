import { ConfigError } from './config';
import { Command, Option } from 'commander';
import { runApiCommand } from './commands/api';
import { runApiKeyCommand } from './commands/api-key';
import { runMoodleSimCommand } from './commands/moodle-sim';
import { wholeNumber } from './commands/options';
import { runWorkerCommand } from './commands/worker';

/** The single entry point: `sms-sync <command>`. */
function buildProgram(): Command {
  const program = new Command('sms-sync')
    .description('Keeps the Student Management System in step with Moodle through Temporal workflows.')
    .showHelpAfterError();

  program
    .command('worker')
    .description('run a Temporal worker for the sync workflows and activities')
    .action(runWorkerCommand);

  program
    .command('api')
    .description('serve the GraphQL API for the SMS front end and admins')
    .action(runApiCommand);

  program
    .command('api-key')
    .description('create an API key and print the API_KEYS entry (a hash) that grants it')
    .addOption(new Option('--role <role>', 'what the key may do').choices(['reader', 'admin']).makeOptionMandatory())
    .action(runApiKeyCommand);

  program
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
    .action(runMoodleSimCommand);

  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    // Configuration problems are the user's to fix: say what, without a stack.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(error instanceof ConfigError ? 78 : 1);
  });
