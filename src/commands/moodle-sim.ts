import {
  demoSite,
  generateSite,
  requestNewCourse,
  SimulatorControlError,
  startMoodleSimulator,
  type NewCourseAnswer,
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
 * `sms-sync moodle-sim add-course`: a new course on the running simulator (the
 * one of the `sms-sync dev` running from this folder, unless MOODLE_URL and
 * MOODLE_TOKEN name another), for the next course sync to bring in as NEW.
 */
export async function runMoodleSimAddCourseCommand(options: { name: string; shortname?: string }): Promise<void> {
  // Only for its configuration: the same dev-stack fallback, and hint, as the other commands.
  await withOps(['MOODLE_URL', 'MOODLE_TOKEN'], async ({ config }) => {
    let course: NewCourseAnswer;
    try {
      course = await requestNewCourse(config.moodle.url, config.moodle.token.reveal(), {
        fullname: options.name,
        shortname: options.shortname,
      });
    } catch (error) {
      if (!(error instanceof SimulatorControlError)) throw error;
      throw new CommandError(error.message, error.badInput ? EXIT.usage : EXIT.failure);
    }
    console.log(
      `Added course ${course.id}: ${course.fullname} (short name "${course.shortname}", category ${course.categoryid})`,
    );
    console.log('The next course sync brings it in as NEW; to run one now: npx sms-sync sync courses --wait');
  });
}
