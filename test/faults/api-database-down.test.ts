import { MongoClient } from 'mongodb';
import { generateApiKey, hashApiKey } from '../../src/api/auth';
import { READINESS_TIMEOUT_MS } from '../../src/api/server';
import { loadConfig } from '../../src/config';
import { emptyCourseDiff } from '../../src/domain/course-diff';
import { createLogger } from '../../src/logger';
import { demoSite, startMoodleSimulator, type MoodleSimulator } from '../../src/moodle-sim';
import { startApiService, type ApiService } from '../../src/services/api';
import { openConnections, type Connections } from '../../src/services/connections';
import { moodleCourseFields } from '../support/courses';
import { snapshotDatabase } from '../support/database-snapshot';
import { testConfig, uniqueName } from '../support/environment';
import { errorCodes } from '../support/graphql';
import { exchange, type Exchange } from '../support/http-exchange';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

/**
 * The API (`sms-sync api`'s own service, connections and readiness check) while MongoDB does not answer:
 * its database is reached through a TCP hop that the test cuts (connections reset, as from a host whose
 * server is gone) and restores, with the API left running.
 */
const TOKEN = 'd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0';
const ADMIN_KEY = generateApiKey();
/** The driver's serverSelectionTimeoutMS (src/store/mongo.ts): how long an operation waits for a server. */
const SERVER_SELECTION_MS = 10_000;
/** Room for a loaded machine on top of each bound. */
const SLACK_MS = 5_000;
const UNAVAILABLE = {
  message: 'The database is not answering; try again shortly.',
  extensions: { code: 'DATABASE_UNAVAILABLE' },
};

describe('the API while its database does not answer', () => {
  const shared = testConfig();
  const database = uniqueName('sms_api_down').replace('-', '_');
  let proxy: TcpProxy;
  let sim: MoodleSimulator;
  let connections: Connections;
  let api: ApiService;
  let direct: MongoClient;

  const ask = (query: string, timeoutMs = SERVER_SELECTION_MS + 2 * SLACK_MS) =>
    exchange(`${api.url}/graphql`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query }),
      timeoutMs,
    });
  const read = () => ask('{ courses { totalCount } syncStatus { connection } }');
  const probe = (path: string) =>
    exchange(`${api.url}${path}`, { method: 'GET', timeoutMs: READINESS_TIMEOUT_MS + SLACK_MS });
  const snapshot = () => snapshotDatabase(direct.db(database));

  beforeAll(async () => {
    const target = new URL(shared.mongo.uri);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    sim = await startMoodleSimulator({ site: demoSite(), token: TOKEN });
    const config = loadConfig(
      {
        MONGODB_URI: `mongodb://${proxy.address}/?directConnection=true`,
        MONGODB_DB: database,
        TEMPORAL_ADDRESS: shared.temporal.address,
        MOODLE_URL: sim.url,
        MOODLE_TOKEN: TOKEN,
        API_KEYS: `admin:${hashApiKey(ADMIN_KEY)}`,
        API_HOST: '127.0.0.1',
      },
      { require: ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN'] },
    );
    connections = await openConnections(config);
    const at = new Date();
    const created = [101, 102].map((moodleId) => ({
      moodleId,
      state: 'NEW' as const,
      moodle: moodleCourseFields(`C${moodleId}`),
      lmsDeletedAt: null,
    }));
    await connections.stores.courses.applyDiff({ ...emptyCourseDiff(created.length), created }, at);
    await connections.stores.courses.setState(101, 'OPEN', at);
    api = await startApiService(config, connections, { log: createLogger('silent'), port: 0 });
    direct = await MongoClient.connect(shared.mongo.uri);
  });

  afterAll(async () => {
    proxy?.restore();
    await api?.close();
    await connections?.close();
    await direct?.db(database).dropDatabase();
    await direct?.close();
    await proxy?.close();
    await sim?.close();
  });

  it('answers 503 DATABASE_UNAVAILABLE within 10 s, changes nothing, and recovers without a restart', async () => {
    const healthy = await read();
    expect({ status: healthy.status, data: healthy.body.data }).toEqual({
      status: 200,
      data: { courses: { totalCount: 2 }, syncStatus: { connection: 'UNKNOWN' } },
    });
    expect((await probe('/health/ready')).status).toBe(200);
    const before = await snapshot();

    proxy.cut();
    const [query, mutation, ready, live] = await Promise.all([
      read(),
      ask('mutation { setCourseState(courseId: "101", state: CLOSED) { state } }'),
      probe('/health/ready'),
      probe('/health/live'),
    ]);
    for (const answer of [query, mutation]) {
      expect({ status: answer.status, retryAfter: answer.headers['retry-after'], codes: errorCodes(answer) }).toEqual({
        status: 503,
        retryAfter: '10',
        codes: expect.arrayContaining(['DATABASE_UNAVAILABLE']),
      });
      expect(answer.body.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual(
        answer.body.errors?.map(() => UNAVAILABLE),
      );
      expect(answer.text).not.toMatch(/Mongo|ECONN|selection|topology|127\.0\.0\.1|stack/i);
      expect(answer.ms).toBeLessThan(SERVER_SELECTION_MS + SLACK_MS);
    }
    expect({ status: ready.status, body: ready.body }).toEqual({ status: 503, body: { ready: false } });
    expect(ready.ms).toBeLessThan(READINESS_TIMEOUT_MS + SLACK_MS);
    expect(live.status).toBe(200);

    proxy.restore();
    const restoredAt = performance.now();
    let recovered: Exchange;
    do recovered = await read();
    while (recovered.status !== 200 && performance.now() - restoredAt < SERVER_SELECTION_MS + SLACK_MS);
    expect({ status: recovered.status, data: recovered.body.data }).toEqual({ status: 200, data: healthy.body.data });
    expect((await probe('/health/ready')).status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });
});
