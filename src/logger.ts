import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/**
 * Structured JSON logs. Credentials are `Secret`s, which serialise as
 * `[redacted]`; the redact list is a second line of defence for anything that
 * carries a raw token under a conventional key.
 */
export function createLogger(level: Config['logLevel'], bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'sms-sync', ...bindings },
    redact: { paths: ['token', 'wstoken', '*.token', '*.wstoken', 'headers.authorization'], censor: '[redacted]' },
  });
}
