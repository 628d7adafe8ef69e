import { Command } from 'commander';
import { ConfigError } from './config';
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

  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    // Configuration problems are the user's to fix: say what, without a stack.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(error instanceof ConfigError ? 78 : 1);
  });
