import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { generateApiKey, hashApiKey } from '../src/api/auth';
import { MOODLE_HOOK_PATH } from '../src/api/hooks/moodle-hooks';
import { numberIn } from '../src/commands/options';
import { createLogger } from '../src/logger';
import { generateSite, type MoodleSimulator } from '../src/moodle-sim';
import { hashSeed, mulberry32 } from '../src/moodle-sim/random';
import { Secret } from '../src/secret';
import { startApiService } from '../src/services/api';
import type { Stores } from '../src/store';
import { SCHEDULE_IDS } from '../src/temporal/workflow-ids';
import { changeGrade, percentile } from './grade-changes';
import { figure, heading, printSummary, record, seconds, thousands, verdict, writeResults } from './report';
import { openAllCourses, pairKey, seedEnrollments, siteCourseIds } from './seed';
import { registerCleanup, runBench, startBenchStack } from './stack';
import { runSyncs } from './syncs';

/**
 * `npm run bench:freshness`: how soon a grade changed in Moodle shows in the SMS when the simulator
 * forwards Moodle's events (issue 12), on the local stack: the worker in its own process, the API in
 * this one, the simulator posting local_webhooks-shaped events to the API.
 */

/** Issue 12's targets. */
const LATENCY_P95_LIMIT_MS = 15_000;
const LATENCY_P95_GOAL_MS = 5_000;
const BURST_SYNCS_PER_COURSE = 3;
const BURST_VISIBLE_LIMIT_MS = 60_000;
/** A change not visible by then counts as lost for the figure. */
const CHANGE_TIMEOUT_MS = 60_000;
const POLL_MS = 100;

interface Options {
  courses: number;
  students: number;
  activities: number;
  changes: number;
  latencyCourses: number;
  lanes: number;
  burst: number;
  burstSeconds: number;
  burstCourses: number;
  lost: number;
  intervalSeconds: number;
  moodleLatency: number;
}

const program = new Command('npm run bench:freshness --')
  .description("Measures how soon Moodle's grade changes reach the SMS through Moodle's events.")
  .option('--courses <n>', 'courses on the simulated site', numberIn(3, 1000), 100)
  .option('--students <n>', 'students per course', numberIn(1, 100), 20)
  .option('--activities <n>', 'activities and resources per course', numberIn(2, 20), 12)
  .option('--changes <n>', 'single grade changes timed one by one', numberIn(1, 10_000), 200)
  .option('--latency-courses <n>', 'courses the single changes are spread across', numberIn(1, 1000), 50)
  .option('--lanes <n>', 'single changes in flight at once, each in another course', numberIn(1, 20), 4)
  .option('--burst <n>', 'grade changes in the burst', numberIn(1, 100_000), 2_000)
  .option('--burst-seconds <n>', 'how long the burst lasts', numberIn(1, 600), 20)
  .option('--burst-courses <n>', 'courses the burst is spread across', numberIn(1, 1000), 100)
  .option('--lost <n>', 'changes made with events switched off', numberIn(1, 10_000), 50)
  .option('--interval-seconds <n>', "the enrollment schedule's interval while events are off", numberIn(10, 3600), 60)
  .option('--moodle-latency <ms>', 'latency of every Moodle call', numberIn(0, 5000), 30);

/** Reads one enrollment's course total over GraphQL, as the front end would. */
function enrollmentReader(apiUrl: string, apiKey: string) {
  const query = 'query($id: ID!) { enrollment(id: $id) { grade { raw } } }';
  return async (enrollmentId: string): Promise<number | null> => {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables: { id: enrollmentId } }),
    });
    const body = (await response.json()) as { data?: { enrollment: { grade: { raw: number | null } | null } | null } };
    return body.data?.enrollment?.grade?.raw ?? null;
  };
}

async function enrollmentIds(stores: Stores): Promise<Map<string, string>> {
  const all = await stores.enrollments.collection.find({}, { projection: { courseId: 1, moodleUserId: 1 } }).toArray();
  return new Map(
    all.map((enrollment) => [pairKey(enrollment.courseId, enrollment.moodleUserId), enrollment._id.toHexString()]),
  );
}

/**
 * When each course's syncs started, in ms from `since`: every enrollment sync of a course reads its
 * contents exactly once.
 */
function recordSyncs(sim: MoodleSimulator, since: number): { read(): Map<number, number[]>; stop(): void } {
  const starts = new Map<number, number[]>();
  const stop = sim.onCall(({ wsfunction, courseId }) => {
    if (wsfunction !== 'core_course_get_contents' || courseId === undefined) return;
    starts.set(courseId, [...(starts.get(courseId) ?? []), Math.round(performance.now() - since)]);
  });
  return { read: () => new Map(starts), stop };
}

/** Waits until every pair's stored course total is the model's; returns how long after `from` that was. */
async function untilAllStored(
  stores: Stores,
  expected: Map<string, number | null>,
  from: number,
  timeoutMs: number,
): Promise<number | null> {
  const courseIds = [...new Set([...expected.keys()].map((key) => Number(key.split(':')[0])))];
  for (;;) {
    const stored = await stores.enrollments.collection
      .find({ courseId: { $in: courseIds } }, { projection: { courseId: 1, moodleUserId: 1, grade: 1 } })
      .toArray();
    const seen = new Map(stored.map((row) => [pairKey(row.courseId, row.moodleUserId), row.grade?.raw ?? null]));
    if ([...expected].every(([key, total]) => seen.get(key) === total)) return performance.now() - from;
    if (performance.now() - from > timeoutMs) return null;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(options: Options): Promise<void> {
  const random = mulberry32(hashSeed('sms-sync-freshness-bench'));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const site = generateSite({
    seed: 'sms-sync-freshness-bench',
    courses: options.courses,
    studentsPerCourse: options.students,
    activitiesPerCourse: options.activities,
  });
  const stack = await startBenchStack({
    site,
    latency: { latencyMs: options.moodleLatency, perRowLatencyMs: 0 },
    concurrency: 4,
    worker: true,
    intervals: { enrollmentIntervalMs: options.intervalSeconds * 1000 },
  });
  const { stores } = stack.connections;
  await seedEnrollments(stores, site, new Date());
  // The first syncs; a whole enrollment sync's duration is what a scheduled run adds to its interval.
  const baseline = await runSyncs(stack, () => openAllCourses(stores, new Date()));
  const runMs = baseline.enrollmentSync.ms;
  const ids = await enrollmentIds(stores);

  const secret = randomBytes(24).toString('hex');
  const readerKey = generateApiKey();
  const api = await startApiService(
    {
      ...stack.config,
      api: { host: '127.0.0.1', port: 0, keys: [{ role: 'reader', sha256: hashApiKey(readerKey) }], graphiql: false },
      hooks: { ...stack.config.hooks, secret: new Secret(secret) },
    },
    stack.connections,
    { log: createLogger('silent'), port: 0 },
  );
  registerCleanup(() => api.close());
  stack.sim.events.configure({ url: `${api.url}${MOODLE_HOOK_PATH}`, secret });
  stack.sim.events.setEnabled(true);
  const readTotal = enrollmentReader(api.url, readerKey);
  const courseIds = siteCourseIds(site);
  console.log(
    `Site: ${options.courses} courses × ${options.students} students, Moodle ${options.moodleLatency} ms a call; ` +
      `events posted to ${api.url}${MOODLE_HOOK_PATH}.`,
  );

  // 1. Single changes, each timed from the change in Moodle to GraphQL showing it.
  heading(`Latency: ${options.changes} single changes across ${options.latencyCourses} courses`);
  const latencyCourses = courseIds.slice(0, options.latencyCourses);
  const latencies: number[] = [];
  let timedOut = 0;
  let next = 0;
  const syncsDuringLatency = recordSyncs(stack.sim, performance.now());
  const lane = async () => {
    for (let index = next++; index < options.changes; index = next++) {
      const courseId = latencyCourses[index % latencyCourses.length]!;
      const userId = pick(site.students(courseId)).id;
      const enrollmentId = ids.get(pairKey(courseId, userId))!;
      const changedAt = performance.now();
      const total = changeGrade(site, courseId, userId);
      for (;;) {
        if ((await readTotal(enrollmentId)) === total) {
          latencies.push(performance.now() - changedAt);
          break;
        }
        if (performance.now() - changedAt > CHANGE_TIMEOUT_MS) {
          timedOut += 1;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
  };
  await Promise.all(Array.from({ length: options.lanes }, lane));
  syncsDuringLatency.stop();
  latencies.sort((a, b) => a - b);
  const [p50, p95] = [percentile(latencies, 0.5), percentile(latencies, 0.95)];
  const latencySyncs = [...syncsDuringLatency.read().values()].reduce((sum, starts) => sum + starts.length, 0);
  figure('latency', `p50 ${seconds(p50)}, p95 ${seconds(p95)}, max ${seconds(latencies.at(-1) ?? Number.NaN)}`);
  figure('not visible in 60 s', String(timedOut));
  figure('course syncs', `${latencySyncs} for ${options.changes} changes`);
  record('latency', {
    changes: options.changes,
    p50Ms: p50,
    p95Ms: p95,
    maxMs: latencies.at(-1),
    timedOut,
    syncs: latencySyncs,
  });
  verdict(
    `grade change → GraphQL p95 < ${LATENCY_P95_LIMIT_MS / 1000} s`,
    p95 < LATENCY_P95_LIMIT_MS && timedOut === 0,
    `p95 ${seconds(p95)}, ${timedOut} not visible`,
  );
  verdict(
    `grade change → GraphQL p95 < ${LATENCY_P95_GOAL_MS / 1000} s (stretch)`,
    p95 < LATENCY_P95_GOAL_MS && timedOut === 0,
    `p95 ${seconds(p95)}`,
  );

  // 2. A burst: many changes in a short time, spread over many courses.
  heading(
    `Burst: ${thousands(options.burst)} changes in ${options.burstSeconds} s across ${options.burstCourses} courses`,
  );
  await stack.sim.events.settled();
  const burstCourses = courseIds.slice(0, options.burstCourses);
  const expected = new Map<string, number | null>();
  stack.sim.calls.reset();
  const burstStart = performance.now();
  const syncsDuringBurst = recordSyncs(stack.sim, burstStart);
  const eventsAtStart = stack.sim.events.stats();
  for (let index = 0; index < options.burst; index++) {
    const due = burstStart + (index * options.burstSeconds * 1000) / options.burst;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const courseId = pick(burstCourses);
    const userId = pick(site.students(courseId)).id;
    expected.set(pairKey(courseId, userId), changeGrade(site, courseId, userId));
  }
  const burstEnd = performance.now();
  await stack.sim.events.settled();
  const eventsDeliveredMs = performance.now() - burstEnd;
  const visibleAfterMs = await untilAllStored(stores, expected, burstEnd, 5 * BURST_VISIBLE_LIMIT_MS);
  // Syncs still due after everything is visible belong to the burst too.
  await new Promise((resolve) => setTimeout(resolve, 20_000));
  syncsDuringBurst.stop();
  const syncStarts = syncsDuringBurst.read();
  const perCourse = [...syncStarts.values()].map((starts) => starts.length);
  const maxSyncs = Math.max(0, ...perCourse);
  const totalSyncs = perCourse.reduce((sum, count) => sum + count, 0);
  const busiest = [...syncStarts].find(([, starts]) => starts.length === maxSyncs);
  const histogram: Record<number, number> = {};
  for (const count of perCourse) histogram[count] = (histogram[count] ?? 0) + 1;
  const calls = stack.sim.calls.byFunction();
  const totalCalls = Object.values(calls).reduce((sum, count) => sum + count, 0);
  const events = stack.sim.events.stats();
  figure('took', seconds(burstEnd - burstStart));
  figure(
    'course syncs',
    `${totalSyncs} (${(totalSyncs / burstCourses.length).toFixed(2)} a course, at most ${maxSyncs})`,
  );
  figure('courses by syncs', JSON.stringify(histogram));
  if (busiest) figure('busiest course', `syncs started at ${busiest[1].map((ms) => seconds(ms)).join(', ')}`);
  figure('events delivered', `${seconds(eventsDeliveredMs)} after the burst ended`);
  figure(
    'Moodle calls',
    `${thousands(totalCalls)} (${Object.entries(calls)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')})`,
  );
  figure(
    'all visible',
    visibleAfterMs === null ? 'not within 5 minutes' : `${seconds(visibleAfterMs)} after the burst ended`,
  );
  const burstEvents = {
    emitted: events.emitted - eventsAtStart.emitted,
    delivered: events.delivered - eventsAtStart.delivered,
    failed: events.failed - eventsAtStart.failed,
    refused: Object.fromEntries(
      Object.entries(events.refused).map(([status, count]) => [status, count - (eventsAtStart.refused[status] ?? 0)]),
    ),
  };
  figure('events', JSON.stringify(burstEvents));
  record('burst', {
    changes: options.burst,
    seconds: options.burstSeconds,
    courses: burstCourses.length,
    totalSyncs,
    maxSyncsPerCourse: maxSyncs,
    coursesBySyncs: histogram,
    busiestCourseSyncsAtMs: busiest?.[1],
    eventsDeliveredMs,
    moodleCalls: calls,
    visibleAfterMs,
    events: burstEvents,
  });
  verdict(
    `burst: ≤ ${BURST_SYNCS_PER_COURSE} syncs per course`,
    maxSyncs <= BURST_SYNCS_PER_COURSE,
    `at most ${maxSyncs}`,
  );
  verdict(
    `burst: everything visible < ${BURST_VISIBLE_LIMIT_MS / 1000} s after it ends`,
    visibleAfterMs !== null && visibleAfterMs < BURST_VISIBLE_LIMIT_MS,
    visibleAfterMs === null ? 'not visible' : seconds(visibleAfterMs),
  );

  // 3. Events lost: with none arriving, the schedule alone brings every change in.
  heading(
    `Lost events: ${options.lost} changes with events off, the enrollment schedule every ${options.intervalSeconds} s`,
  );
  stack.sim.events.setEnabled(false);
  const lostExpected = new Map<string, number | null>();
  for (let index = 0; index < options.lost; index++) {
    const courseId = pick(courseIds);
    const userId = pick(site.students(courseId)).id;
    lostExpected.set(pairKey(courseId, userId), changeGrade(site, courseId, userId));
  }
  const changedAt = performance.now();
  await stack.connections.temporal.schedule.getHandle(SCHEDULE_IDS.enrollmentSync).unpause('the freshness benchmark');
  const intervalMs = options.intervalSeconds * 1000;
  const lostVisibleMs = await untilAllStored(stores, lostExpected, changedAt, 3 * intervalMs);
  await stack.connections.temporal.schedule.getHandle(SCHEDULE_IDS.enrollmentSync).pause('the freshness benchmark');
  figure(
    'all visible',
    lostVisibleMs === null ? 'not within 3 intervals' : `${seconds(lostVisibleMs)} after the changes`,
  );
  figure('a whole run', `${seconds(runMs)} (the first enrollment sync of every course)`);
  record('lostEvents', { changes: options.lost, intervalMs, visibleAfterMs: lostVisibleMs, runMs });
  verdict(
    'events off: every change in within one interval (plus the run itself)',
    lostVisibleMs !== null && lostVisibleMs <= intervalMs + runMs,
    lostVisibleMs === null ? 'not visible' : `${seconds(lostVisibleMs)} ≤ ${seconds(intervalMs + runMs)}`,
  );

  printSummary();
  writeResults('freshness', { ...options });
}

void runBench(() => main(program.parse().opts<Options>()));
