import { Option, type Command } from 'commander';
import { numberIn } from '../src/commands/options';
import { generateSite, type SiteModel } from '../src/moodle-sim';
import { hashSeed, mulberry32 } from '../src/moodle-sim/random';

/** The simulated site's size, shared by both benchmarks. */
export interface SiteSizeOptions {
  courses: number;
  students: number;
  activities: number;
  /** `university`: a real university's skewed course sizes instead of `students` per course. */
  size?: SizePreset;
}

export type SizePreset = 'university';

/**
 * A large university (issue 10): 5,000 courses and 100,000 enrollments, most
 * courses small (median ~20) and a few lectures very large (~1,500), read
 * from Moodle at 30 ms a call.
 */
export const UNIVERSITY = {
  courses: 5_000,
  enrollments: 100_000,
  largestCourse: 1_500,
  activities: 15,
  latencyMs: 30,
} as const;

/** Students take about five courses each. */
const COURSES_PER_STUDENT = 5;
/** The big lectures: the k-th largest has largest ÷ k^1.2 students. */
const LECTURES = 20;
const LECTURE_DECAY = 1.2;
/** Spread of the ordinary courses around their median (log-normal σ). */
const ORDINARY_SPREAD = 0.35;

/**
 * Course sizes adding up to `total` exactly: a few large lectures, the rest
 * log-normal around the median, in a seeded random order.
 */
export function skewedCourseSizes(courses: number, total: number, largest: number, seed: string): number[] {
  const random = mulberry32(hashSeed(seed));
  const lectures = Array.from({ length: Math.min(LECTURES, courses) }, (_, k) =>
    Math.round(largest / (k + 1) ** LECTURE_DECAY),
  );
  // Box–Muller: a standard normal from two uniforms.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const shapes = Array.from({ length: courses - lectures.length }, () => Math.exp(ORDINARY_SPREAD * normal()));
  const remaining = total - lectures.reduce((sum, size) => sum + size, 0);
  const scale = remaining / shapes.reduce((sum, shape) => sum + shape, 0);
  const ordinary = shapes.map((shape) => Math.max(1, Math.round(shape * scale)));
  // Rounding leaves the sum a little off: settle the difference one student at a time.
  let difference = remaining - ordinary.reduce((sum, size) => sum + size, 0);
  for (let index = 0; difference !== 0; index = (index + 1) % ordinary.length) {
    const step = Math.sign(difference);
    if ((ordinary[index] as number) + step < 1) continue;
    ordinary[index] = (ordinary[index] as number) + step;
    difference -= step;
  }
  const sizes = [...lectures, ...ordinary];
  // Seeded shuffle, so large courses are spread over the id range and the enrollment sync's batches.
  for (let index = sizes.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [sizes[index], sizes[other]] = [sizes[other] as number, sizes[index] as number];
  }
  return sizes;
}

export function addSiteSizeOptions(command: Command, defaults: SiteSizeOptions): Command {
  return command
    .addOption(
      new Option(
        '--size <preset>',
        `a preset site: university = ${UNIVERSITY.courses} courses, ${UNIVERSITY.enrollments} enrollments (skewed), ` +
          `Moodle ${UNIVERSITY.latencyMs} ms a call`,
      ).choices(['university']),
    )
    .option('--courses <n>', 'courses on the simulated site (3–5000)', numberIn(3, 5000), defaults.courses)
    .option('--students <n>', 'students per course (1–100)', numberIn(1, 100), defaults.students)
    .option('--activities <n>', 'activities and resources per course (1–20)', numberIn(1, 20), defaults.activities);
}

/** The options a preset overrides. */
export function applySizePreset<T extends SiteSizeOptions>(options: T): T {
  return options.size === 'university'
    ? { ...options, courses: UNIVERSITY.courses, activities: UNIVERSITY.activities }
    : options;
}

export function generateBenchSite(seed: string, size: SiteSizeOptions): SiteModel {
  const courseSizes =
    size.size === 'university'
      ? skewedCourseSizes(UNIVERSITY.courses, UNIVERSITY.enrollments, UNIVERSITY.largestCourse, `${seed}-sizes`)
      : undefined;
  const enrollments = courseSizes === undefined ? size.courses * size.students : UNIVERSITY.enrollments;
  return generateSite({
    seed,
    courses: size.courses,
    studentsPerCourse: size.students,
    activitiesPerCourse: size.activities,
    courseSizes,
    studentPool: Math.max(
      courseSizes === undefined ? size.students : UNIVERSITY.largestCourse,
      Math.round(enrollments / COURSES_PER_STUDENT),
    ),
  });
}
