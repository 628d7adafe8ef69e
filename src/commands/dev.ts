import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describeFinishedSync } from '../use-cases/sync-outcome';
import { loadConfig } from '../config';
import { devStatePath, readDevState, removeDevState, writeDevState } from '../config/dev-state';
import { forgetDevData, startDevStack, type DevStack } from '../local/dev-stack';
import { exitCleanlyOnSignals } from '../local/processes';
import { ensureLocalTools } from '../local/tools';
import { createLogger } from '../logger';
import { installTemporalRuntime } from '../temporal/runtime';
import { CommandError } from './exit-codes';

export const DEV_LOG_FILE = 'dev.log';

/**
 * `sms-sync dev` (`npm run dev`): the complete stack on loopback, with lines
 * scripts can read (`Temporal UI: `, `GraphQL: `, `Admin API key: `,
 * `Reader API key: `), until Ctrl-C stops all of it.
 */
export async function runDevCommand(options: { fresh: boolean; prometheus: boolean }): Promise<void> {
  // The dev stack's own settings come from the environment only: it is the one that writes the state file.
  const config = loadConfig(process.env);
  const { stateDir } = config.local;
  const running = readDevState(stateDir);
  if (running !== undefined) {
    throw new CommandError(
      `a dev stack is already running from ${devStatePath(stateDir)} (pid ${running.pid}, ${running.graphqlUrl}); ` +
        'stop it first, or set LOCAL_STATE_DIR',
    );
  }
  mkdirSync(stateDir, { recursive: true });
  if (options.fresh) forgetDevData(stateDir);
  const logFile = path.resolve(stateDir, DEV_LOG_FILE);
  // The terminal is for the lines below; the worker's and API's JSON logs go to a file.
  const log = createLogger(
    config.logLevel,
    { role: 'dev' },
    pino.destination({ dest: logFile, append: false, sync: true }),
  );
  const temporal = await installTemporalRuntime(log, { metrics: true });

  // Ctrl-C during start-up must stop what has started so far, so the handler comes first.
  let stack: DevStack | undefined = undefined;
  exitCleanlyOnSignals(async () => {
    console.log('Stopping…');
    removeDevState(stateDir);
    await stack?.stop();
  });
  await ensureLocalTools(config, (line) => console.log(line));
  stack = await startDevStack(config, {
    log,
    progress: (step) => console.log(step),
    dataDir: stateDir,
    temporalMetricsUrl: temporal.metricsUrl,
    prometheus: options.prometheus,
  });

  writeDevState(stateDir, {
    pid: process.pid,
    servicePids: stack.servicePids,
    temporalUiUrl: stack.temporalUiUrl,
    graphqlUrl: stack.graphqlUrl,
    defaults: {
      MONGODB_URI: stack.mongoUri,
      MONGODB_DB: stack.config.mongo.database,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
      MOODLE_URL: stack.moodleUrl,
      // Only the simulator's throwaway token: a real Moodle's token stays in the environment it came from.
      ...(stack.simulator && { MOODLE_TOKEN: stack.config.moodle.token?.reveal() }),
      // The throwaway webhook secret, for `sms-sync hooks test`; one that was configured stays where it came from.
      ...(config.hooks.secret === undefined && { MOODLE_WEBHOOK_SECRET: stack.config.hooks.secret?.reveal() }),
    },
  });

  console.log('');
  const ownUi = `none (TEMPORAL_ADDRESS names the server at ${stack.temporalAddress}; use its UI)`;
  console.log(`Temporal UI: ${stack.temporalUiUrl ?? ownUi}`);
  console.log(`GraphQL: ${stack.graphqlUrl}`);
  console.log(`Admin API key: ${stack.apiKeys.admin}`);
  console.log(`Reader API key: ${stack.apiKeys.reader}`);
  console.log(`Moodle: ${stack.moodleUrl}${stack.simulator ? ' (simulator, demo site)' : ''}`);
  console.log(`Metrics: worker ${stack.metricsUrls.worker}, API ${stack.metricsUrls.api}`);
  if (stack.prometheusUrl) console.log(`Prometheus: ${stack.prometheusUrl} (alerts: ${stack.prometheusUrl}/alerts)`);
  const { seed } = stack;
  if (seed) {
    const triage =
      seed.leftNew && `, 1 left NEW for you to triage (id ${seed.leftNew.moodleId}: ${seed.leftNew.fullName})`;
    console.log(
      `Demo SMS data: ${seed.coursesOpened} course(s) opened${triage ?? ''}, ` +
        `${seed.students} student(s), ${seed.enrollments} enrollment(s)`,
    );
  }
  for (const sync of stack.firstSyncs) console.log(`Synced: ${describeFinishedSync(sync)}`);
  console.log(`Logs: ${logFile}`);
  if (stack.simulator) {
    console.log(`Moodle events: the simulator posts its changes to ${stack.hooksUrl}`);
    console.log(
      'Change a grade in Moodle and see it in GraphQL within seconds: ' +
        'npx sms-sync moodle-sim set-grade --course 101 --user 2001 --grade 7',
    );
    console.log(
      'Add a Moodle course for the next course sync to find as NEW: ' +
        'npx sms-sync moodle-sim add-course --name "History 101"',
    );
  } else if (stack.config.hooks.secret) {
    console.log(`Moodle events: point the forwarder at ${stack.hooksUrl} (check it: npx sms-sync hooks test)`);
  }
  console.log(
    'Other terminals in this folder find this stack: npx sms-sync status | sync | replay | schedules. ' +
      'Ctrl-C stops everything.',
  );
}
