import { Command } from 'commander';
import { generateApiKey, hashApiKey } from '../src/api/auth';
import { hashSeed, mulberry32, shuffle } from '../src/moodle-sim/random';
import { createLogger } from '../src/logger';
import { startApiService } from '../src/services/api';
import { createStores, type Stores } from '../src/store';
import type { SiteModel } from '../src/moodle-sim';
import { connectDatabase } from '../src/store/mongo';
import {
  countQueries,
  FRONT_END_QUERIES,
  postQuery,
  runLoad,
  type FrontEndQuery,
  type GraphQLTarget,
} from './api-load';
import { timed } from './measure';
import { numberIn } from '../src/commands/options';
import { addSiteSizeOptions, applySizePreset, generateBenchSite, type SiteSizeOptions } from './options';
import { figure, heading, printSummary, record, seconds, thousands, verdict, writeResults } from './report';
import { openAllCourses, seedEnrollments, siteCourseIds } from './seed';
import { registerCleanup, runBench, startBenchStack } from './stack';
import { runSyncs } from './syncs';

/**
 * `npm run bench:api`: the front end's reads under load, on a database the
 * real syncs filled (issues 6 and 10).
 */

/** Issue 10's targets: p95 at 10 concurrent requests, none failing at 50. */
const P95_LIMIT_MS = 100;
const LARGEST_COURSE_P95_LIMIT_MS = 1_000;
/** Distinct variables per request kind, so requests spread over the data instead of repeating one page. */
const VARIANTS = 500;

interface Options extends SiteSizeOptions {
  seconds: number;
  connections: number[];
}

interface Load {
  name: string;
  description: string;
  bodies: string[];
  p95LimitMs: number;
}

const program = addSiteSizeOptions(
  new Command('npm run bench:api --').description('Load-tests the GraphQL API on a database of synced enrollments.'),
  { courses: 1000, students: 100, activities: 15 },
)
  .option('--seconds <n>', 'load duration per request kind and concurrency', numberIn(1, 120), 10)
  .option(
    '--connections <list>',
    'concurrent requests, comma-separated',
    (text) => text.split(',').map((part) => numberIn(1, 500)(part.trim())),
    [10, 50],
  );

/** A lone request answered this fast means the server has no backlog left. */
const SETTLED_MS = 2_000;
const SETTLE_TIMEOUT_MS = 300_000;

/** Waits until a lone request is answered within SETTLED_MS; returns how long that took. */
async function settle(target: GraphQLTarget, body: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    const { ms } = await timed(() => postQuery(target, body));
    if (ms <= SETTLED_MS || performance.now() - started > SETTLE_TIMEOUT_MS) return performance.now() - started;
  }
}

const body = (query: FrontEndQuery, variables: Record<string, string> = {}) =>
  JSON.stringify({ query: FRONT_END_QUERIES[query], variables });

/** The request kinds, each over up to VARIANTS courses, students or enrollments. */
async function buildLoads(stores: Stores, site: SiteModel): Promise<Load[]> {
  const random = mulberry32(hashSeed('sms-sync-api-bench-load'));
  const sizes = siteCourseIds(site).map((courseId) => ({ courseId, size: site.students(courseId).length }));
  const ordered = [...sizes].sort((a, b) => a.size - b.size);
  const median = ordered[Math.floor(ordered.length / 2)]!.size;
  const largest = ordered.at(-1)!;
  const medianCourses = shuffle(
    random,
    sizes.filter(({ size }) => size === median).map(({ courseId }) => courseId),
  ).slice(0, VARIANTS);
  const studentIds = shuffle(
    random,
    await stores.students.collection
      .find({}, { projection: { _id: 1 } })
      .map((student) => student._id.toHexString())
      .toArray(),
  ).slice(0, VARIANTS);
  // Equality reads per course, which every store serves; a scan of all enrollments would not be.
  const enrollmentIds = (
    await Promise.all(medianCourses.slice(0, 50).map((courseId) => stores.enrollments.syncStates(courseId)))
  )
    .flat()
    .map((enrollment) => enrollment._id.toHexString());
  const courseBodies = (courseIds: number[]) =>
    courseIds.map((courseId) => body('courseEnrollments', { courseId: String(courseId) }));
  return [
    {
      name: 'coursesTab',
      description: 'the Courses tab, first page',
      bodies: [body('coursesTab')],
      p95LimitMs: P95_LIMIT_MS,
    },
    {
      name: 'medianCourseEnrollments',
      description: `a median course's enrollments page (${median} enrollments)`,
      bodies: courseBodies(medianCourses),
      p95LimitMs: P95_LIMIT_MS,
    },
    {
      name: 'largestCourseEnrollments',
      description: `the largest course's enrollments page (${largest.size} enrollments)`,
      bodies: courseBodies([largest.courseId]),
      p95LimitMs: LARGEST_COURSE_P95_LIMIT_MS,
    },
    {
      name: 'studentEnrollments',
      description: "a student's enrollments with report cards",
      bodies: studentIds.map((studentId) => body('studentEnrollments', { studentId })),
      p95LimitMs: P95_LIMIT_MS,
    },
    {
      name: 'enrollment',
      description: 'one enrollment with its report card',
      bodies: shuffle(random, enrollmentIds)
        .slice(0, VARIANTS)
        .map((id) => body('enrollment', { id })),
      p95LimitMs: P95_LIMIT_MS,
    },
    { name: 'syncStatus', description: 'syncStatus', bodies: [body('syncStatus')], p95LimitMs: P95_LIMIT_MS },
  ];
}

async function main(parsed: Options): Promise<void> {
  const options = applySizePreset(parsed);
  const sizeLabel = options.size ?? `${options.courses}x${options.students}x${options.activities}`;
  const site = generateBenchSite('sms-sync-api-bench', options);
  // No Moodle latency: the syncs only build the database here.
  const stack = await startBenchStack({
    site,
    latency: { latencyMs: 0, perRowLatencyMs: 0 },
    concurrency: 4,
    worker: true,
  });
  const { stores } = stack.connections;
  const build = await timed(async () => {
    const seeded = await seedEnrollments(stores, site, new Date());
    const sync = await runSyncs(stack, () => openAllCourses(stores, new Date()));
    return { seeded, written: sync.written.size };
  });
  console.log(
    `Database: ${thousands(build.result.seeded.students)} students, ` +
      `${thousands(build.result.seeded.enrollments)} enrollments ` +
      `(${thousands(build.result.written)} with synced grades and report cards), ` +
      `built by a course sync and an enrollment sync in ${seconds(build.ms)}.`,
  );
  record('database', { ...build.result.seeded, synced: build.result.written, buildMs: build.ms });
  await stack.worker?.stop();

  // The API gets its own client so that its queries, and only those, are counted.
  const monitored = await connectDatabase(stack.mongoUri, stack.config.mongo.database, { monitorCommands: true });
  registerCleanup(() => monitored.close());
  const apiKey = generateApiKey();
  const api = await startApiService(
    {
      ...stack.config,
      api: { host: '127.0.0.1', port: 0, keys: [{ role: 'reader', sha256: hashApiKey(apiKey) }], graphiql: false },
    },
    { ...stack.connections, database: monitored, stores: createStores(monitored) },
    // Requests still running when the benchmark closes the database would log their errors.
    { log: createLogger('silent'), port: 0 },
  );
  registerCleanup(() => api.close());
  const target: GraphQLTarget = { url: `${api.url}/graphql`, apiKey };
  const loads = await buildLoads(stores, site);

  // Count each request's database round trips first, alone: under load, requests still running from
  // an earlier load run would be counted too.
  const perRequest = new Map<string, number>();
  for (const load of loads) {
    const counter = countQueries(monitored.client);
    await postQuery(target, load.bodies[0] ?? '');
    perRequest.set(load.name, counter.read());
    counter.stop();
  }

  for (const connections of options.connections) {
    for (const load of loads) {
      // Requests a load gave up on still run in the API and the database; measure the next load on an idle
      // server, not on that backlog.
      const settled = await settle(target, load.bodies[0] ?? '');
      if (settled > SETTLED_MS)
        console.log(`\n(waited ${seconds(settled)} for the API to finish the previous load's requests)`);
      const counter = countQueries(monitored.client);
      const result = await runLoad(target, load.bodies, { connections, seconds: options.seconds });
      const underLoad = counter.read() / Math.max(1, result.requests);
      counter.stop();
      heading(`${load.description} (${connections} connections, ${options.seconds} s)`);
      figure(
        'latency',
        `p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`,
      );
      figure(
        'throughput',
        `${result.requestsPerSecond.toFixed(0)} requests/s ` +
          `(${thousands(result.requests)} answered, ${result.failures} failed)`,
      );
      figure(
        'MongoDB queries',
        `${perRequest.get(load.name)} per request (${underLoad.toFixed(2)} on average under load)`,
      );
      record(`${load.name}.c${connections}`, {
        ...result,
        queriesPerRequest: perRequest.get(load.name),
        queriesUnderLoad: underLoad,
      });
      if (connections <= 10) {
        verdict(
          `${load.name}: p95 ≤ ${load.p95LimitMs} ms at ${connections} concurrent requests`,
          result.p95 <= load.p95LimitMs && result.failures === 0,
          `p95 ${result.p95.toFixed(1)} ms, ${result.failures} failed`,
        );
      } else {
        verdict(
          `${load.name}: no errors or time-outs at ${connections} concurrent requests`,
          result.failures === 0,
          `${result.failures} failed of ${thousands(result.requests + result.failures)}, ` +
            `p95 ${result.p95.toFixed(1)} ms`,
        );
      }
    }
  }
  printSummary();
  writeResults(`api-${sizeLabel}`, { ...options });
}

void runBench(() => main(program.parse().opts<Options>()));
