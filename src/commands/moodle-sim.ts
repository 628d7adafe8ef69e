import { demoSite, generateSite, startMoodleSimulator } from '../moodle-sim';
import { exitCleanlyOnSignals } from '../local/processes';

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
