import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './worker';

/**
 * Bundles the workflow code once, ahead of time: the production image ships
 * it (`npm run build`) and the tests build it once per run, so no worker pays
 * webpack's seconds at start-up.
 */
export async function writeWorkflowBundle(outputPath: string): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  mkdirSync(path.dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, code);
}
