import { Command } from 'commander';
import { generateApiKey, hashApiKey } from '../src/api/auth';
import { hashSeed, mulberry32, shuffle } from '../src/moodle-sim/random';
import { createLogger } from '../src/logger';
import { startApiService } from '../src/services/api';
import { createStores } from '../src/store';
import { connectDatabase } from '../src/store/mongo';
import { countQueries, FRONT_END_QUERIES, postQuery, runLoad, type FrontEndQuery, type GraphQLTarget } from './api-load';
import { timed } from './measure';
import { numberIn } from '../src/commands/options';
import { addSiteSizeOptions, generateBenchSite, type SiteSizeOptions } from './options';
import { figure, heading, printSummary, seconds, thousands, verdict } from './report';
import { openAllCourses, seedEnrollments } from './seed';
import { registerCleanup, runBench, startBenchStack } from './stack';
import { runSyncs } from './syncs';

/**
 * `npm run bench:api`: the front end's main queries under load, on a
 * database the real syncs filled (issue 6, "Benchmark").
 */

const P95_LIMIT_MS = 50;
/** Distinct variables per query, so requests spread over the data instead of repeating one page. */
const VARIANTS = 500;

interface Options extends SiteSizeOptions {
  seconds: number;
  connections: number;
}

const program = addSiteSizeOptions(
  new Command('npm run bench:api --').description('Load-tests the GraphQL API on a database of synced enrollments.'),
  { courses: 1000, students: 100, activities: 15 },
)
  .option('--seconds <n>', 'load duration per query', numberIn(1, 120), 10)
  .option('--connections <n>', 'concurrent requests', numberIn(1, 500), 50);

async function main(options: Options): Promise<void> {
  const site = generateBenchSite('sms-sync-api-bench', options);
  // No Moodle latency: the syncs only build the database here.
  const stack = await startBenchStack({ site, latency: { latencyMs: 0, perRowLatencyMs: 0 }, concurrency: 4, worker: true });
  const { stores } = stack.connections;
  const build = await timed(async () => {
    const seeded = await seedEnrollments(stores, site, new Date());
    const sync = await runSyncs(stack, () => openAllCourses(stores, new Date()));
    return { seeded, written: sync.written.size };
  });
  console.log(
    `Database: ${thousands(build.result.seeded.students)} students, ${thousands(build.result.seeded.enrollments)} enrollments ` +
      `(${thousands(build.result.written)} with synced grades and report cards), built by a course sync and an enrollment sync in ${seconds(build.ms)}.`,
  );
  await stack.worker?.stop();

  // The API gets its own client so that its queries, and only those, are counted.
  const monitored = await connectDatabase(stack.mongoUri, stack.config.mongo.database, { monitorCommands: true });
  registerCleanup(() => monitored.close());
  const apiKey = generateApiKey();
  const api = await startApiService(
    { ...stack.config, api: { host: '127.0.0.1', port: 0, keys: [{ role: 'reader', sha256: hashApiKey(apiKey) }], graphiql: false } },
    { ...stack.connections, database: monitored, stores: createStores(monitored) },
    // Requests still running when the benchmark closes the database would log their errors.
    { log: createLogger('silent'), port: 0 },
  );
  registerCleanup(() => api.close());
  const target: GraphQLTarget = { url: `${api.url}/graphql`, apiKey };

  const random = mulberry32(hashSeed('sms-sync-api-bench-load'));
  const courseIds = shuffle(random, await stores.enrollments.courseIds()).slice(0, VARIANTS);
  const studentIds = shuffle(random, await stores.students.collection.find({}, { projection: { _id: 1 } }).map((student) => student._id.toHexString()).toArray()).slice(0, VARIANTS);
  const bodies: Record<FrontEndQuery, string[]> = {
    courseEnrollments: courseIds.map((courseId) => JSON.stringify({ query: FRONT_END_QUERIES.courseEnrollments, variables: { courseId: String(courseId) } })),
    studentEnrollments: studentIds.map((studentId) => JSON.stringify({ query: FRONT_END_QUERIES.studentEnrollments, variables: { studentId } })),
    coursesTab: [JSON.stringify({ query: FRONT_END_QUERIES.coursesTab })],
  };

  // Count each query's database round trips first, alone: under load, requests still running from
  // an earlier load run would be counted too.
  const entries = Object.entries(bodies) as [FrontEndQuery, string[]][];
  const perRequest = new Map<FrontEndQuery, number>();
  for (const [name, variants] of entries) {
    const counter = countQueries(monitored.client);
    await postQuery(target, variants[0] ?? '');
    perRequest.set(name, counter.read());
    counter.stop();
  }

  for (const [name, variants] of entries) {
    const counter = countQueries(monitored.client);
    const load = await runLoad(target, variants, { connections: options.connections, seconds: options.seconds });
    const underLoad = counter.read() / Math.max(1, load.requests);
    counter.stop();
    heading(`${name} (${options.connections} connections, ${options.seconds} s)`);
    figure('latency', `p50 ${load.p50.toFixed(1)} ms, p95 ${load.p95.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms`);
    figure('throughput', `${load.requestsPerSecond.toFixed(0)} requests/s (${thousands(load.requests)} answered, ${load.failures} failed)`);
    figure('MongoDB queries', `${perRequest.get(name)} per request (${underLoad.toFixed(2)} on average under load)`);
    verdict(`${name}: p95 < ${P95_LIMIT_MS} ms at ${options.connections} concurrent requests`, load.p95 < P95_LIMIT_MS && load.failures === 0, `p95 ${load.p95.toFixed(1)} ms, ${load.failures} failed`);
  }
  printSummary();
}

void runBench(() => main(program.parse().opts<Options>()));
