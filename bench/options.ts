import type { Command } from 'commander';
import { numberIn } from '../src/commands/options';
import { generateSite, type SiteModel } from '../src/moodle-sim';

/** The simulated site's size, shared by both benchmarks. */
export interface SiteSizeOptions {
  courses: number;
  students: number;
  activities: number;
}

export function addSiteSizeOptions(command: Command, defaults: SiteSizeOptions): Command {
  return command
    .option('--courses <n>', 'courses on the simulated site (3–1000)', numberIn(3, 1000), defaults.courses)
    .option('--students <n>', 'students per course (1–100)', numberIn(1, 100), defaults.students)
    .option('--activities <n>', 'activities and resources per course (1–20)', numberIn(1, 20), defaults.activities);
}

export function generateBenchSite(seed: string, size: SiteSizeOptions): SiteModel {
  return generateSite({ seed, courses: size.courses, studentsPerCourse: size.students, activitiesPerCourse: size.activities });
}
