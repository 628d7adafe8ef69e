import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { MongoClient, MongoClientOptions } from 'mongodb';
import type { Logger } from '../logger';
import { traceDatabaseCommands } from './database';

export interface TracingConfig {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; traces go to its `/v1/traces`. */
  otlpEndpoint?: string;
  serviceName: string;
}

/** What the process's Temporal worker and client hand their interceptors and workflow sink. */
export interface Tracing {
  readonly resource: Resource;
  readonly spanProcessor: SpanProcessor;
}

/** What a command does with the tracing it started. */
export interface TracingHandle {
  /** For `connectDatabase`: the command monitoring that database spans are made from. */
  readonly databaseOptions: Pick<MongoClientOptions, 'monitorCommands'>;
  /** Traces the commands of a client connected with `databaseOptions`. */
  traceDatabase(client: MongoClient): void;
  /** Exports the spans still buffered, then stops tracing. */
  shutdown(): Promise<void>;
}

const TRACING_OFF: TracingHandle = {
  databaseOptions: {},
  traceDatabase: () => undefined,
  shutdown: async () => undefined,
};

/**
 * The process's tracing, like OpenTelemetry's own global provider: the worker and client of
 * src/temporal read it when they are created, since the services layer that creates them knows
 * nothing of tracing.
 */
let active: Tracing | undefined;

/** The tracing the process started, or undefined: then no worker or client adds any interceptor. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/**
 * Starts tracing when an OTLP endpoint is configured (or, in tests, an exporter is given), before
 * anything connects: spans of Moodle calls come from undici's diagnostics channels, database spans
 * from the client's command monitoring, Temporal's from the interceptors of src/temporal. Without an
 * endpoint nothing is created or registered, so tracing costs nothing.
 */
export function startTracing(
  config: TracingConfig,
  log: Logger,
  options: { exporter?: SpanExporter } = {},
): TracingHandle {
  const endpoint = config.otlpEndpoint;
  const exporter = options.exporter ?? (endpoint === undefined ? undefined : otlpExporter(endpoint));
  if (exporter === undefined) return TRACING_OFF;
  if (active !== undefined) throw new Error('tracing is already started in this process');

  const otelLog = log.child({ component: 'opentelemetry' });
  // An unreachable collector is worth a warning; the SDK says so through its diagnostic logger.
  diag.setLogger(
    {
      error: (message, ...args) => otelLog.warn({ args }, message),
      warn: (message, ...args) => otelLog.warn({ args }, message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  // The workflow spans leave the sandbox without the provider's resource: both get this one.
  const resource = new Resource({ ...Resource.default().attributes, 'service.name': config.serviceName });
  // Batched: a sync's thousands of spans leave in a few requests, off the activities' path.
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const unregisterInstrumentations = registerInstrumentations({
    tracerProvider: provider,
    // Only calls made within a traced operation (an activity): no trace of a lone request.
    instrumentations: [new UndiciInstrumentation({ requireParentforSpans: true })],
  });
  active = { resource, spanProcessor };
  const databaseTracer = provider.getTracer('sms-sync/mongodb');
  otelLog.info({ endpoint, serviceName: config.serviceName }, 'tracing started');

  return {
    databaseOptions: { monitorCommands: true },
    traceDatabase: (client) => traceDatabaseCommands(client, databaseTracer),
    async shutdown() {
      unregisterInstrumentations();
      // A collector that is down at exit costs the last spans, not the command's exit status.
      await provider.shutdown().catch((error: unknown) => otelLog.warn({ err: error }, 'last spans not exported'));
      // Unregistered, so that a later start in the same process (a test) begins afresh.
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
      active = undefined;
    },
  };
}

/** OTLP over HTTP with JSON bodies; the signal's path is appended to the base URL, as the OTLP spec says. */
function otlpExporter(endpoint: string): SpanExporter {
  return new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
}
