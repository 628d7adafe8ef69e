import { createServer } from 'node:net';
import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type LogEntry,
  type TelemetryOptions,
} from '@temporalio/worker';
import type { Logger } from '../logger';

const SDK_LEVELS = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' } as const;

/** The SDK's metrics endpoint is only ever read by this process's own /metrics (src/services/metrics.ts). */
const SDK_METRICS_HOST = '127.0.0.1';
const BIND_ATTEMPTS = 5;

export interface TemporalRuntime {
  /** Where the SDK serves its own worker and client metrics (Prometheus text); absent without metrics. */
  readonly metricsUrl?: string;
}

/**
 * Routes the Temporal SDK's logs, and the Rust core's warnings, through pino
 * so that a worker writes one JSON log. The SDK adds the workflow's or
 * activity's context (namespace, task queue, workflow id and type, run id,
 * activity id and type, attempt) as metadata, which become fields of the line.
 */
function runtimeOptions(log: Logger): { logger: DefaultLogger; telemetryOptions: TelemetryOptions } {
  const sdk = log.child({ component: 'temporal' });
  const level = SDK_LEVELS[sdk.level as keyof typeof SDK_LEVELS] ?? 'ERROR';
  const logger = new DefaultLogger(level, ({ level: entryLevel, message, meta }: LogEntry) => {
    sdk[entryLevel.toLowerCase() as Lowercase<LogEntry['level']>](meta ?? {}, message);
  });
  return {
    logger,
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  };
}

/**
 * Installs the runtime with the SDK's logs through pino, and with `metrics` the SDK's own metrics too (worker polls, task
 * latencies, slots, client requests: the `temporal_` families), which only its Rust core can
 * serve: on a free loopback port, for the worker's /metrics to append. Once per process, before
 * the first worker or native connection.
 */
export async function installTemporalRuntime(log: Logger, options: { metrics: boolean }): Promise<TemporalRuntime> {
  if (!options.metrics) {
    Runtime.install(runtimeOptions(log));
    return {};
  }
  const base = runtimeOptions(log);
  for (let attempt = 1; ; attempt += 1) {
    const bindAddress = `${SDK_METRICS_HOST}:${await freePort(SDK_METRICS_HOST)}`;
    try {
      Runtime.install({
        ...base,
        telemetryOptions: { ...base.telemetryOptions, metrics: { prometheus: { bindAddress } } },
      });
      return { metricsUrl: `http://${bindAddress}/metrics` };
    } catch (error) {
      // Someone took the port between its choice and the bind: choose again.
      if (attempt >= BIND_ATTEMPTS || !/address already in use/i.test(String(error))) throw error;
    }
  }
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
