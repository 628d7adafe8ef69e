import { Command } from 'commander';
import { numberIn } from '../src/commands/options';
import { addSiteSizeOptions, applySizePreset, generateBenchSite, UNIVERSITY, type SiteSizeOptions } from './options';
import { callList, figure, heading, printSummary, record, seconds, thousands, verdict, writeResults } from './report';
import { openAllCourses, regradeCells, seedEnrollments, siteCourseIds } from './seed';
import { runBench, startBenchStack, type BenchStack } from './stack';
import { runSyncs, type SyncRunFigures } from './syncs';
import { measureDirectWrite, timed } from './measure';

/**
 * `npm run bench`: full, unchanged and partly regraded enrollment syncs
 * through the real stack against the Moodle simulator, each compared with
 * the floor of the same work (issue 5, "Benchmark").
 */

const MEMORY_LIMIT_MB = 512;
const HISTORY_LIMIT = 10_000;
const FLOOR_RATIO_LIMIT = 1.5;
const FLOOR_TARGET_ENROLLMENTS = 100_000;
/** Issue 10's targets at university size, on this 2-core machine and the embedded store. */
const FULL_SYNC_LIMIT_MS = 10 * 60_000;
const UNCHANGED_SYNC_LIMIT_MS = 4 * 60_000;
const COURSE_SYNC_LIMIT_MS = 60_000;
const PREFLIGHT = 'core_webservice_get_site_info';
const COURSE_LIST = 'core_course_get_courses';

interface Options extends SiteSizeOptions {
  latency: number;
  perRowLatency: number;
  concurrency: number;
  changedShare: number;
  floorSample: number;
}

const program = addSiteSizeOptions(
  new Command('npm run bench --').description(
    'Benchmarks the course and enrollment syncs against a simulated Moodle site.',
  ),
  { courses: 200, students: 50, activities: 15 },
)
  .option('--latency <ms>', 'Moodle latency of every call', numberIn(0, 10_000, { whole: false }), 25)
  .option(
    '--per-row-latency <ms>',
    'extra Moodle latency per returned row (grade report: users × items)',
    numberIn(0, 100, { whole: false }),
    0.1,
  )
  .option('--concurrency <n>', 'courses synced at once, and Moodle connections (1–64)', numberIn(1, 64), 4)
  .option(
    '--changed-share <share>',
    'share of (student, activity) grades changed before the third run',
    numberIn(0, 1, { whole: false }),
    0.05,
  )
  .option(
    '--floor-sample <n>',
    'documents the direct-write floor rewrites at most, its time scaled to all written (university: 5000)',
    numberIn(100, 1_000_000),
    1_000_000,
  );

/** Prints one run against its floor; the direct write for the floor happens here, after the run. */
async function reportRun(
  stack: BenchStack,
  key: string,
  title: string,
  figures: SyncRunFigures,
  floorSample: number,
): Promise<{ ms: number; floorMs: number }> {
  const concurrency = stack.config.sync.courseConcurrency;
  const directWrite = await measureDirectWrite(
    stack.connections.stores,
    stack.connections.database.traits,
    figures.since,
    concurrency,
    { written: figures.written.size, sample: floorSample },
  );
  const { courseSync, enrollmentSync } = figures;
  const ms = courseSync.ms + enrollmentSync.ms;
  const moodleFloorMs = figures.moodleLatencyMs / concurrency;
  const floorMs = moodleFloorMs + directWrite.ms;
  heading(title);
  figure(
    'wall time',
    `${seconds(ms)} (course sync ${seconds(courseSync.ms)}, enrollment sync ${seconds(enrollmentSync.ms)})`,
  );
  figure('Moodle calls', `course sync ${callList(courseSync.moodleCalls)}`);
  figure('', `enrollment sync ${callList(enrollmentSync.moodleCalls)}`);
  const counts = enrollmentSync.result.counts;
  figure(
    'documents written',
    `${thousands(figures.written.size)} enrollments ` +
      `(the sync counted ${thousands(counts.enrollmentsChanged)} changed, ` +
      `${thousands(counts.enrollmentsFailed)} failed; outcome ${enrollmentSync.result.outcome})`,
  );
  figure(
    'largest history',
    `${thousands(figures.largestHistory.events)} events (${figures.largestHistory.workflowId})`,
  );
  figure(
    'peak memory',
    `worker process RSS ${figures.workerPeakRssMb.toFixed(0)} MB; ` +
      `benchmark process (simulator, site model) RSS ${figures.memory.rssMb.toFixed(0)} MB`,
  );
  const atPeak = figures.workerMemoryAtPeak;
  if (atPeak)
    figure(
      'worker at its peak',
      `RSS ${atPeak.rss} MB = V8 heap ${atPeak.heapTotal} MB (${atPeak.heapUsed} MB used) ` +
        `+ off-heap ${atPeak.rss - atPeak.heapTotal} MB ` +
        `(external ${atPeak.external} MB, array buffers ${atPeak.arrayBuffers} MB)`,
    );
  figure(
    'floor',
    `${seconds(floorMs)} = Moodle ${seconds(moodleFloorMs)} ` +
      `(${seconds(figures.moodleLatencyMs)} simulated latency ÷ ${concurrency}) ` +
      `+ direct write ${seconds(directWrite.ms)} (${thousands(directWrite.documents)} documents` +
      `${directWrite.sampled ? `, scaled from ${thousands(directWrite.sampled)}` : ''})`,
  );
  figure('sync ÷ floor', floorMs > 0 ? (ms / floorMs).toFixed(2) : 'n/a');
  const courses = Math.max(1, counts.coursesSynced ?? 0);
  const commands = enrollmentSync.databaseCommands;
  const roundTrips = Object.values(commands).reduce((sum, count) => sum + count, 0);
  const moodleCalls = Object.values(enrollmentSync.moodleCalls).reduce((sum, count) => sum + count, 0);
  figure(
    'per course',
    `${(moodleCalls / courses).toFixed(2)} Moodle calls, ` +
      `${(roundTrips / courses).toFixed(2)} database round trips ` +
      `(${callList(commands)} over ${thousands(courses)} courses)`,
  );
  Object.entries({
    wallMs: ms,
    courseSyncMs: courseSync.ms,
    enrollmentSyncMs: enrollmentSync.ms,
    floorMs,
    moodleFloorMs,
    directWriteMs: directWrite.ms,
    floorRatio: floorMs > 0 ? ms / floorMs : null,
    courseSyncDocumentsWritten: courseSync.result.counts.documentsWritten ?? null,
    enrollmentsWritten: figures.written.size,
    enrollmentSyncCounts: counts,
    moodleCalls: { courseSync: courseSync.moodleCalls, enrollmentSync: enrollmentSync.moodleCalls },
    moodleCallsPerCourse: moodleCalls / courses,
    databaseCommands: commands,
    databaseRoundTripsPerCourse: roundTrips / courses,
    largestHistory: figures.largestHistory,
    workerPeakRssMb: figures.workerPeakRssMb,
    workerMemoryAtPeak: figures.workerMemoryAtPeak,
    benchmarkProcessPeakRssMb: figures.memory.rssMb,
  }).forEach(([name, value]) => record(`${key}.${name}`, value));
  verdict(
    `${title}: worker RSS < ${MEMORY_LIMIT_MB} MB`,
    figures.workerPeakRssMb < MEMORY_LIMIT_MB,
    `peak RSS ${figures.workerPeakRssMb.toFixed(0)} MB`,
  );
  verdict(
    `${title}: no history > ${thousands(HISTORY_LIMIT)} events`,
    figures.largestHistory.events <= HISTORY_LIMIT,
    `${thousands(figures.largestHistory.events)} events`,
  );
  return { ms, floorMs };
}

function checkFullSyncCalls(figures: SyncRunFigures, coursesWithEnrollments: number): void {
  const course = figures.courseSync.moodleCalls;
  const enrollment = figures.enrollmentSync.moodleCalls;
  const total = (calls: Record<string, number>) => Object.values(calls).reduce((sum, count) => sum + count, 0);
  // Each sync is its own scheduled workflow and checks the token first, so a full sync makes two preflights.
  const courseOk = course[PREFLIGHT] === 1 && course[COURSE_LIST] === 1 && total(course) === 2;
  const enrollmentLimit = 1 + 2 * coursesWithEnrollments;
  const enrollmentOk = enrollment[PREFLIGHT] === 1 && total(enrollment) <= enrollmentLimit;
  verdict(
    'Moodle calls of a full sync = 1 preflight + 1 course list (course sync) ' +
      'and 1 preflight + ≤ 2 per course with enrollments (enrollment sync)',
    courseOk && enrollmentOk,
    `course sync ${total(course)} (limit 2), ` +
      `enrollment sync ${total(enrollment)} (limit ${enrollmentLimit} for ${coursesWithEnrollments} courses)`,
  );
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((key) => b.has(key));
}

async function main(parsed: Options): Promise<void> {
  const options = applySizePreset(parsed);
  if (options.size === 'university') {
    // The preset's Moodle: 30 ms a call, unless the command line says otherwise.
    if (program.getOptionValueSource('latency') === 'default') options.latency = UNIVERSITY.latencyMs;
    if (program.getOptionValueSource('perRowLatency') === 'default') options.perRowLatency = 0;
    if (program.getOptionValueSource('floorSample') === 'default') options.floorSample = 5_000;
  }
  const site = generateBenchSite('sms-sync-bench', options);
  const latency = { latencyMs: options.latency, perRowLatencyMs: options.perRowLatency };
  const sizeLabel = options.size ?? `${options.courses}x${options.students}x${options.activities}`;
  const siteShape =
    options.size === 'university'
      ? `${options.courses} courses, ${UNIVERSITY.enrollments} enrollments ` +
        `(skewed, largest ${UNIVERSITY.largestCourse})`
      : `${options.courses} courses × ${options.students} students`;
  console.log(
    `Site: ${siteShape} × ${options.activities} activities; ` +
      `Moodle latency ${options.latency} ms + ${options.perRowLatency} ms per row; ` +
      `concurrency ${options.concurrency}. ` +
      'Timings are noisy: 2 cores shared with other work.',
  );
  const stack = await startBenchStack({ site, latency, concurrency: options.concurrency, worker: true });
  const { stores } = stack.connections;
  const seeded = await timed(() => seedEnrollments(stores, site, new Date()));
  console.log(
    `Seeded ${thousands(seeded.result.students)} students ` +
      `and ${thousands(seeded.result.enrollments)} enrollments in ${seconds(seeded.ms)} ` +
      `(MongoDB: ${stack.config.mongo.uri === undefined ? 'local FerretDB' : 'MONGODB_URI'}).`,
  );
  const coursesWithEnrollments = siteCourseIds(site).filter((courseId) => site.students(courseId).length > 0).length;

  const full = await runSyncs(stack, () => openAllCourses(stores, new Date()));
  record('seed', { ...seeded.result, ms: seeded.ms });
  const fullTimes = await reportRun(stack, 'full', 'Run 1, full sync', full, options.floorSample);
  checkFullSyncCalls(full, coursesWithEnrollments);
  const ratio = fullTimes.ms / fullTimes.floorMs;
  const atScale = seeded.result.enrollments >= FLOOR_TARGET_ENROLLMENTS;
  verdict(
    `full sync within ${FLOOR_RATIO_LIMIT}× its floor ` +
      `(target set for ${thousands(FLOOR_TARGET_ENROLLMENTS)} enrollments` +
      `${atScale ? '' : `; this run has ${thousands(seeded.result.enrollments)}`})`,
    ratio <= FLOOR_RATIO_LIMIT,
    `${ratio.toFixed(2)}×`,
  );

  const unchanged = await runSyncs(stack);
  const unchangedTimes = await reportRun(stack, 'unchanged', 'Run 2, nothing changed', unchanged, options.floorSample);
  verdict(
    'nothing-changed run writes 0 enrollment documents',
    unchanged.written.size === 0,
    `${thousands(unchanged.written.size)} written`,
  );
  verdict(
    'nothing-changed course sync writes 0 course documents',
    unchanged.courseSync.result.counts.documentsWritten === 0,
    `${unchanged.courseSync.result.counts.documentsWritten} written`,
  );
  if (options.size === 'university') {
    verdict(`full sync ≤ ${seconds(FULL_SYNC_LIMIT_MS)}`, fullTimes.ms <= FULL_SYNC_LIMIT_MS, seconds(fullTimes.ms));
    verdict(
      `nothing-changed sync ≤ ${seconds(UNCHANGED_SYNC_LIMIT_MS)}`,
      unchangedTimes.ms <= UNCHANGED_SYNC_LIMIT_MS,
      seconds(unchangedTimes.ms),
    );
    verdict(
      `course sync of ${thousands(options.courses)} courses ≤ ${seconds(COURSE_SYNC_LIMIT_MS)}`,
      full.courseSync.ms <= COURSE_SYNC_LIMIT_MS,
      seconds(full.courseSync.ms),
    );
  }

  const expected = regradeCells(site, options.changedShare, 'sms-sync-bench-regrade');
  console.log(
    `\nRegraded ${Math.round(options.changedShare * 100)} % of the cells: ` +
      `${thousands(expected.size)} enrollments must change.`,
  );
  const regraded = await runSyncs(stack);
  await reportRun(stack, 'regraded', 'Run 3, grades changed', regraded, options.floorSample);
  record('regraded.expected', expected.size);
  const missing = [...expected].filter((key) => !regraded.written.has(key)).length;
  const extra = [...regraded.written].filter((key) => !expected.has(key)).length;
  verdict(
    'regraded run writes exactly the changed enrollments',
    sameSet(expected, regraded.written) && regraded.enrollmentSync.result.counts.enrollmentsChanged === expected.size,
    `${thousands(regraded.written.size)} written, ${thousands(expected.size)} expected ` +
      `(${missing} missing, ${extra} extra)`,
  );
  printSummary();
  writeResults(`sync-${sizeLabel}`, { ...options, latencyMs: options.latency, perRowLatencyMs: options.perRowLatency });
}

void runBench(() => main(program.parse().opts<Options>()));
