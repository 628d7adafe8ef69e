// The single entry point, `sms-sync <command>`: runs the command line of cli.ts
// and turns failures into the documented exit codes (commands/exit-codes.ts).
import { CommanderError } from 'commander';
import { buildProgram } from './cli';
import { CommandError, EXIT } from './commands/exit-codes';
import { ConfigError } from './config';

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof ConfigError) return EXIT.config;
  if (error instanceof CommandError) return error.exitCode;
  return EXIT.failure;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    // Commander has printed its own message; the user's problems are said without a stack.
    if (!(error instanceof CommanderError)) {
      console.error(error instanceof ConfigError || error instanceof CommandError ? error.message : error);
    }
    process.exit(exitCodeOf(error));
  });
