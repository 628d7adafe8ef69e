import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../logger';

const SDK_LEVELS = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' } as const;

/**
 * Routes the Temporal SDK's logs, and the Rust core's warnings, through pino
 * so that a worker writes one JSON log. The SDK adds the workflow's or
 * activity's context (namespace, task queue, workflow id and type, run id,
 * activity id and type, attempt) as metadata, which become fields of the line.
 * Once per process, before the first worker or native connection.
 */
export function installTemporalLogging(log: Logger): void {
  const sdk = log.child({ component: 'temporal' });
  const level = SDK_LEVELS[sdk.level as keyof typeof SDK_LEVELS] ?? 'ERROR';
  const logger = new DefaultLogger(level, ({ level: entryLevel, message, meta }: LogEntry) => {
    sdk[entryLevel.toLowerCase() as Lowercase<LogEntry['level']>](meta ?? {}, message);
  });
  Runtime.install({
    logger,
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
}
