import { InvalidArgumentError } from 'commander';
import {
  demoSite,
  generateSite,
  requestGrade,
  requestNewCourse,
  requestTokenState,
  SimulatorControlError,
  startMoodleSimulator,
  type GradeRequest,
  type TokenState,
  type WebhookTarget,
} from '../moodle-sim';
import { loadConfig } from '../config';
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
  /** Where the site POSTs its Moodle events; the secret comes from MOODLE_WEBHOOK_SECRET. */
  eventsUrl?: string;
}

/** The variable the API's events route checks too: one secret, shared by both ends. */
const WEBHOOK_SECRET_VARIABLE = 'MOODLE_WEBHOOK_SECRET';

/** `--events-url`: where a local_webhooks subscription would point, e.g. the API's /hooks/moodle. */
export function eventsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL such as http://127.0.0.1:4000/hooks/moodle');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('expected an http(s) URL such as http://127.0.0.1:4000/hooks/moodle');
  }
  return value;
}

/** `--grade`: any number; whether it fits the grade item's range is the simulator's to say. */
export function gradeValue(value: string): number {
  const grade = Number(value);
  if (value.trim() === '' || !Number.isFinite(grade)) throw new InvalidArgumentError('expected a number such as 8.5');
  return grade;
}

/** The events target of `--events-url`, signed with the API's secret (as configured there); never printed. */
function webhookTarget(url: string | undefined): WebhookTarget | undefined {
  if (url === undefined) return undefined;
  const secret = loadConfig(process.env).hooks.secret?.reveal();
  if (secret === undefined) {
    throw new CommandError(
      `--events-url needs the shared secret in ${WEBHOOK_SECRET_VARIABLE} (the same value the API is given)`,
      EXIT.usage,
    );
  }
  return { url, secret };
}

/**
 * Serves a simulated Moodle site until interrupted. `--seed demo` without
 * `--courses` serves the site of the shared examples; anything else a
 * generated site.
 */
export async function runMoodleSimCommand(options: MoodleSimCommandOptions): Promise<void> {
  const events = webhookTarget(options.eventsUrl);
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
    events,
  });
  exitCleanlyOnSignals(() => sim.close());
  const courses = site.courses().filter((course) => course.format !== 'site').length;
  console.log(`Moodle simulator: ${sim.url}`);
  console.log(`Token: ${options.token}`);
  if (events) console.log(`Events: POST to ${events.url}`);
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

export interface SetGradeCommandOptions {
  course: number;
  user: number;
  item?: number;
  activity?: string;
  grade: number;
}

/**
 * `sms-sync moodle-sim set-grade`: a teacher grades a student on the running simulator, which emits
 * \core\event\user_graded if it was started with --events-url: the way to watch an event reach the SMS.
 */
export async function runMoodleSimSetGradeCommand(options: SetGradeCommandOptions): Promise<void> {
  const request: GradeRequest = {
    courseId: options.course,
    userId: options.user,
    itemId: options.item,
    activity: options.activity,
    grade: options.grade,
  };
  const set = await controlSimulator((url, token) => requestGrade(url, token, request));
  const how = set.how === 'graded' ? 'Graded' : 'Overrode';
  console.log(
    `${how} ${set.userFullname} (user ${set.userId}) in "${set.itemName}" (grade item ${set.itemId}, course ` +
      `${set.courseId}): ${set.grade} of ${set.grademin}–${set.grademax}`,
  );
  if (set.shown !== set.grade) console.log(`The grade report shows ${set.shown ?? 'no grade'}: an override hides it.`);
  if (set.eventEmitted) {
    console.log(String.raw`The simulator POSTs \core\event\user_graded to its events URL (--events-url).`);
  } else {
    console.log(
      'No event sent (the simulator has no --events-url, or its events are off): the next scheduled ' +
        `enrollment sync reads the grade; to run one now: npx sms-sync sync enrollments --course ${set.courseId} --wait`,
    );
  }
}
