/**
 * What `sms-sync` exit codes mean (README "Command line"): scripts and
 * monitoring act on them without parsing output.
 */
export const EXIT = {
  /** Done; the sync succeeded; the connection is HEALTHY. */
  ok: 0,
  /** Something unexpected: a server could not be reached, a bug. */
  failure: 1,
  /** A sync failed; the connection is FAILING. */
  syncFailed: 2,
  /** A sync did only part of its work; the connection is DEGRADED, or UNKNOWN before the first sync. */
  partial: 3,
  /** The command line was wrong (sysexits EX_USAGE). */
  usage: 64,
  /** The configuration is missing or invalid (sysexits EX_CONFIG). */
  config: 78,
} as const;

/** A failure the command explains itself: its message is printed without a stack, then it exits with `exitCode`. */
export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}
