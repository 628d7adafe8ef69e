import pino, { type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Credentials are `Secret`s, which serialise as
 * `[redacted]`; the redact list is a second line of defence for anything that
 * carries a raw token under a conventional key. Logs go to stdout unless a
 * destination is given (`sms-sync dev` writes them to a file so that its
 * terminal stays readable).
 */
export function createLogger(
  level: Level | 'silent',
  bindings: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { service: 'sms-sync', ...bindings },
    redact: { paths: ['token', 'wstoken', '*.token', '*.wstoken', 'headers.authorization'], censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
