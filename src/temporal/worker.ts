import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { activeTracing, type Tracing } from '../telemetry/tracing';
import { assertSearchAttributesRegistered } from './search-attributes';

export const WORKFLOWS_PATH = require.resolve('../../workflows');

/**
 * Where `npm run build` puts the prebuilt workflow bundle: `dist/workflow-bundle.js`
 * beside the compiled code. In a checkout running the sources there is none,
 * and the worker bundles the workflows at start.
 */
export const PREBUILT_WORKFLOW_BUNDLE = path.resolve(__dirname, '..', '..', 'workflow-bundle.js');

/**
 * A stopping worker (SIGTERM from a deploy, Ctrl-C) polls no more and lets its running courses
 * finish for this long, then cancels them. Most courses take seconds, so a deploy does not redo
 * their Moodle calls; the SDK's default, 0, would cancel them at once. Both times stay under the
 * 30 s that Kubernetes and ECS wait before SIGKILL, so the worker ends on its own terms: logs
 * flushed, connections closed.
 */
export const SHUTDOWN_GRACE_MS = 20_000;

/**
 * After this the worker gives up on what is still running and stops (`GracefulShutdownPeriodExpiredError`): a
 * course stuck on a slow Moodle call must not hold a deploy (or Ctrl-C in `sms-sync dev`) for minutes.
 * Its heartbeats stop with the process, so Temporal retries it on another worker within the
 * heartbeat timeout, and its writes are safe to repeat (docs/architecture.md, step 8).
 */
export const SHUTDOWN_FORCE_MS = SHUTDOWN_GRACE_MS + 5_000;

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /**
   * Path of a prebuilt workflow bundle; defaults to the build's, else the workflows are bundled at
   * start. A traced worker always bundles at start (see `workerOptions`).
   */
  workflowBundlePath?: string;
}

/** Refuses, with the command that fixes it, a namespace that lacks the workflows' search attributes. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  await assertSearchAttributesRegistered(options.connection.operatorService, options.namespace);
  return Worker.create(workerOptions(options));
}

/**
 * The worker's options: with the process's tracing (src/telemetry/tracing.ts), the OpenTelemetry
 * interceptors and the sink that carries workflow spans out of the sandbox; without it, none.
 */
export function workerOptions(options: CreateWorkerOptions, tracing = activeTracing()): WorkerOptions {
  return {
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    shutdownGraceTime: SHUTDOWN_GRACE_MS,
    shutdownForceTime: SHUTDOWN_FORCE_MS,
    ...(tracing === undefined ? untracedWorkflows(options.workflowBundlePath) : tracedWorkflows(tracing)),
  };
}

function untracedWorkflows(bundlePath?: string): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const bundle = bundlePath ?? (existsSync(PREBUILT_WORKFLOW_BUNDLE) ? PREBUILT_WORKFLOW_BUNDLE : undefined);
  return bundle === undefined ? { workflowsPath: WORKFLOWS_PATH } : { workflowBundle: { codePath: bundle } };
}

/**
 * A bundle's workflow interceptors are fixed when it is built, and the prebuilt one has none (so
 * that an untraced worker runs no tracing code): a traced worker bundles the workflows at start,
 * with the `interceptors` that workflows/index.ts exports.
 */
function tracedWorkflows(tracing: Tracing): Pick<WorkerOptions, 'workflowsPath' | 'interceptors' | 'sinks'> {
  return {
    workflowsPath: WORKFLOWS_PATH,
    interceptors: {
      workflowModules: [WORKFLOWS_PATH],
      // Inbound: the RunActivity span, child of the workflow's StartActivity, parent of the activity's
      // Moodle calls and database commands. Outbound: the trace id in the activity's log lines.
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
