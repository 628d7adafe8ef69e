import { request } from 'undici';
import { createApp } from '../../../src/api/app';
import { READINESS_TIMEOUT_MS, startApiServer, type ApiServer } from '../../../src/api/server';
import { createLogger } from '../../../src/logger';

/** The probes answer without GraphQL: an app whose dependencies are never called is enough. */
const app = createApp({
  stores: {} as never,
  moodle: { getUsersByField: () => Promise.reject(new Error('never asked')) },
  syncs: {} as never,
  now: () => new Date(),
  syncIntervals: {} as never,
  apiKeys: [],
  graphiql: false,
  logger: createLogger('silent'),
});

describe('the readiness probe', () => {
  let server: ApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function probe(isReady: () => Promise<boolean>) {
    server = await startApiServer(app, { host: '127.0.0.1', port: 0, isReady });
    const startedAt = performance.now();
    const response = await request(`${server.url}/health/ready`);
    return { status: response.statusCode, body: await response.body.json(), ms: performance.now() - startedAt };
  }

  it('answers 200 when the dependencies answer', async () => {
    expect(await probe(async () => true)).toMatchObject({ status: 200, body: { ready: true } });
  });

  it('answers 503 when a dependency fails', async () => {
    expect(await probe(() => Promise.reject(new Error('down')))).toMatchObject({ status: 503, body: { ready: false } });
  });

  it(`answers 503 after ${READINESS_TIMEOUT_MS} ms when a dependency does not answer, instead of hanging`, async () => {
    const answer = await probe(() => new Promise<boolean>(() => {}));
    expect(answer).toMatchObject({ status: 503, body: { ready: false } });
    expect(answer.ms).toBeGreaterThanOrEqual(READINESS_TIMEOUT_MS - 50);
    expect(answer.ms).toBeLessThan(READINESS_TIMEOUT_MS + 3_000);
  });
});
