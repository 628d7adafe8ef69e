/**
 * `sms-sync worker` (src/commands/worker.ts) in a process of its own, for tests that start several
 * workers at once, stop one with a signal or measure one's memory (run with tsx). The same runtime
 * (SIGINT and SIGTERM drain the worker), connections and `startWorkerService` (worker options,
 * schedules), configured from the environment and logging JSON to stdout, but with the test run's
 * prebuilt workflow bundle: a checkout has none, and bundling at start would cost seconds and
 * hundreds of MB that the production image (dist/workflow-bundle.js) does not spend.
 *
 * It opens its connections, prints `armed`, and starts the worker (which ensures the schedules) when
 * the line `start` arrives on stdin, so that a test can start several within the same instant.
 */
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { openConnections } from '../../src/services/connections';
import { startWorkerService } from '../../src/services/worker';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import { workflowBundlePath } from './environment';
import { ARMED_LINE, START_LINE } from './worker-processes';

async function startSignal(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  try {
    for await (const line of lines) {
      if (line.trim() === START_LINE) return;
    }
    throw new Error('stdin closed before the start line');
  } finally {
    // An open stdin would keep the process alive once the worker has drained.
    process.stdin.destroy();
  }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, {
    require: ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN'],
  });
  const log = createLogger(config.logLevel, { role: 'worker' });
  await installTemporalRuntime(log, { metrics: false });
  const connections = await openConnections(config);
  try {
    process.stdout.write(`${ARMED_LINE}\n`);
    await startSignal();
    const worker = await startWorkerService(config, connections, { log, workflowBundlePath: workflowBundlePath() });
    await worker.done;
    log.info('worker stopped');
  } finally {
    await connections.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
