import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/**
 * Structured JSON logs. Credentials are `Secret`s, which serialise as
 * `[redacted]`; the redact list is a second line of defence for anything that
 * carries a raw token under a conventional key. Logs go to stdout unless a
 * destination is given (`sms-sync dev` writes them to a file so that its
 * terminal stays readable).
 */
export function createLogger(
  level: Config['logLevel'],
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
