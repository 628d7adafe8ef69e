import {
  demoSite,
  generateSite,
  requestNewCourse,
  requestTokenState,
  SimulatorControlError,
  startMoodleSimulator,
  type TokenState,
} from '../moodle-sim';
import { exitCleanlyOnSignals } from '../local/processes';
import { CommandError, EXIT } from './exit-codes';
import { withOps } from './ops';

export interface MoodleSimCommandOptions {
  host: string;
  port: number;
  token: string;
  seed: string;
  courses?: number;
  students: number;
  activities: number;
  latency: number;
}

/**
 * Serves a simulated Moodle site until interrupted. `--seed demo` without
 * `--courses` serves the site of the shared examples; anything else a
 * generated site.
 */
export async function runMoodleSimCommand(options: MoodleSimCommandOptions): Promise<void> {
  const site =
    options.seed === 'demo' && options.courses === undefined
      ? demoSite()
      : generateSite({
          seed: options.seed,
          courses: options.courses ?? 20,
          studentsPerCourse: options.students,
          activitiesPerCourse: options.activities,
        });
  const sim = await startMoodleSimulator({
    site,
    token: options.token,
    host: options.host,
    port: options.port,
    faults: { latencyMs: options.latency },
  });
  exitCleanlyOnSignals(() => sim.close());
  const courses = site.courses().filter((course) => course.format !== 'site').length;
  console.log(`Moodle simulator: ${sim.url}`);
  console.log(`Token: ${options.token}`);
  console.log(`Site: ${courses} courses (seed ${options.seed}); Ctrl-C stops it.`);
}

/**
 * Runs one control request against the running simulator: the one of the
 * `sms-sync dev` running from this folder, unless MOODLE_URL and MOODLE_TOKEN
 * name another. A refusal becomes the command's message and exit code.
 */
async function controlSimulator<T>(request: (siteUrl: string, token: string) => Promise<T>): Promise<T> {
  // Only for its configuration: the same dev-stack fallback, and hint, as the other commands.
  return withOps(['MOODLE_URL', 'MOODLE_TOKEN'], async ({ config }) => {
    try {
      return await request(config.moodle.url, config.moodle.token.reveal());
    } catch (error) {
      if (!(error instanceof SimulatorControlError)) throw error;
      throw new CommandError(error.message, error.badInput ? EXIT.usage : EXIT.failure);
    }
  });
}

/** `sms-sync moodle-sim add-course`: a new course on the running simulator, for the next course sync to find as NEW. */
export async function runMoodleSimAddCourseCommand(options: { name: string; shortname?: string }): Promise<void> {
  const course = await controlSimulator((url, token) =>
    requestNewCourse(url, token, { fullname: options.name, shortname: options.shortname }),
  );
  console.log(
    `Added course ${course.id}: ${course.fullname} (short name "${course.shortname}", category ${course.categoryid})`,
  );
  console.log('The next course sync brings it in as NEW; to run one now: npx sms-sync sync courses --wait');
}

/**
 * `sms-sync moodle-sim revoke-token` / `restore-token`: the simulator refuses
 * (or accepts again) the sync's token, as when a Moodle admin deletes it, so
 * that a newcomer can watch a sync fail and the alert that says so fire. The
 * timings told are those of ops/prometheus/alerts.yml under the dev stack's
 * Prometheus, which scrapes and evaluates every 2 seconds.
 */
export async function runMoodleSimTokenCommand(state: TokenState): Promise<void> {
  await controlSimulator((url, token) => requestTokenState(url, token, state));
  if (state.revoked) {
    console.log('Moodle now refuses the token (invalidtoken): the next sync fails with MOODLE_INVALID_TOKEN.');
    console.log('To run one now: npx sms-sync sync courses --wait');
    console.log(
      'With `npm run dev -- --prometheus`, SmsSyncMoodlePermissionDenied fires on the printed Prometheus alerts ' +
        'page within seconds of that sync; SmsSyncFailing only after 35 minutes without a successful sync ' +
        '(30, then 5 pending).',
    );
    console.log('Undo: npx sms-sync moodle-sim restore-token');
  } else {
    console.log('Moodle accepts the token again: the next sync succeeds (npx sms-sync sync courses --wait).');
    console.log(
      "SmsSyncMoodlePermissionDenied stays firing until the last refusal is an hour old (the rule's 1h window).",
    );
  }
}
