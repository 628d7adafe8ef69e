import { existsSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { assertSearchAttributesRegistered } from './search-attributes';

export const WORKFLOWS_PATH = require.resolve('../../workflows');

/**
 * Where `npm run build` puts the prebuilt workflow bundle: `dist/workflow-bundle.js`
 * beside the compiled code. In a checkout running the sources there is none,
 * and the worker bundles the workflows at start.
 */
export const PREBUILT_WORKFLOW_BUNDLE = path.resolve(__dirname, '..', '..', 'workflow-bundle.js');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** Path of a prebuilt workflow bundle; defaults to the build's, else the workflows are bundled at start. */
  workflowBundlePath?: string;
}

/** Refuses, with the command that fixes it, a namespace that lacks the workflows' search attributes. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  await assertSearchAttributesRegistered(options.connection.operatorService, options.namespace);
  const bundle =
    options.workflowBundlePath ?? (existsSync(PREBUILT_WORKFLOW_BUNDLE) ? PREBUILT_WORKFLOW_BUNDLE : undefined);
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> =
    bundle === undefined ? { workflowsPath: WORKFLOWS_PATH } : { workflowBundle: { codePath: bundle } };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...workflows,
  });
}
