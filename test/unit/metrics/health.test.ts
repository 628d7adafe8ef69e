import type { DestinationStream } from 'pino';
import { createLogger } from '../../../src/logger';
import { healthCollectors, type SyncHealthFigures } from '../../../src/metrics/health';
import { createServiceMetrics } from '../../../src/metrics/registry';
import { startMetricsServer, type MetricsServer } from '../../../src/metrics/server';
import { parsePrometheusText, samplesOf, valueOf } from '../../support/prometheus-text';

const FIGURES: SyncHealthFigures = {
  runs: {
    COURSE: { lastSuccessAt: new Date('2026-03-02T10:00:01.500Z'), lastStartAt: new Date('2026-03-02T10:00:00Z') },
    ENROLLMENT: { lastSuccessAt: null, lastStartAt: new Date('2026-03-02T10:15:00Z') },
  },
  connection: 'DEGRADED',
  openErrors: [
    { code: 'MOODLE_COURSE_INACCESSIBLE', count: 2 },
    { code: 'STUDENT_NOT_IN_GRADEBOOK', count: 5 },
  ],
  staleCourses: 3,
  heldDeletions: 4,
};

const HEALTH_METRICS = [
  'sms_sync_last_success_timestamp_seconds',
  'sms_sync_last_start_timestamp_seconds',
  'sms_sync_connection_state',
  'sms_sync_open_errors',
  'sms_sync_stale_courses',
  'sms_sync_held_course_deletions',
];

describe('the sync health gauges', () => {
  let warnings: Record<string, unknown>[];
  let server: MetricsServer | undefined;
  const destination: DestinationStream = { write: (line: string) => warnings.push(JSON.parse(line)) };
  const log = createLogger('warn', {}, destination);

  beforeEach(() => {
    warnings = [];
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** The worker's registry over `read`, served on a free port the way the services serve it. */
  async function serve(read: () => Promise<SyncHealthFigures>, timeoutMs?: number): Promise<MetricsServer> {
    const metrics = createServiceMetrics('worker', healthCollectors(read, { log, timeoutMs }));
    server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      scrape: () => metrics.registry.metrics(),
      contentType: metrics.registry.contentType,
      log,
    });
    return server;
  }

  async function scrape(url: string) {
    const response = await fetch(url);
    return { status: response.status, samples: parsePrometheusText(await response.text()) };
  }

  it('report what the database says, with one read per scrape', async () => {
    const read = jest.fn(async () => FIGURES);
    const { url } = await serve(read);

    const { status, samples } = await scrape(url);

    expect(status).toBe(200);
    expect(read).toHaveBeenCalledTimes(1);
    expect(valueOf(samples, 'sms_sync_last_success_timestamp_seconds', { kind: 'COURSE' })).toBe(1772445601.5);
    expect(samplesOf(samples, 'sms_sync_last_success_timestamp_seconds', { kind: 'ENROLLMENT' })).toEqual([]);
    expect(valueOf(samples, 'sms_sync_last_start_timestamp_seconds', { kind: 'ENROLLMENT' })).toBe(1772446500);
    expect(
      Object.fromEntries(
        samplesOf(samples, 'sms_sync_connection_state').map((sample) => [sample.labels.state, sample.value]),
      ),
    ).toEqual({ HEALTHY: 0, DEGRADED: 1, FAILING: 0, UNKNOWN: 0 });
    expect(valueOf(samples, 'sms_sync_open_errors', { code: 'STUDENT_NOT_IN_GRADEBOOK' })).toBe(5);
    expect(valueOf(samples, 'sms_sync_stale_courses')).toBe(3);
    expect(valueOf(samples, 'sms_sync_held_course_deletions')).toBe(4);
    expect(warnings).toEqual([]);
  });

  it('are left out, with a warning, when the database read fails; the scrape still answers', async () => {
    const { url } = await serve(async () => {
      throw new Error('connection <monitor> to 127.0.0.1:27017 closed');
    });

    const { status, samples } = await scrape(url);

    expect(status).toBe(200);
    for (const name of HEALTH_METRICS) expect(samplesOf(samples, name)).toEqual([]);
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        err: expect.objectContaining({ message: expect.stringContaining('closed') }),
      }),
    ]);
  });

  it('are left out when the database does not answer in time, without holding the scrape', async () => {
    const { url } = await serve(() => new Promise<never>(() => {}), 200);

    const started = performance.now();
    const { status, samples } = await scrape(url);

    expect(status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1_000);
    for (const name of HEALTH_METRICS) expect(samplesOf(samples, name)).toEqual([]);
    expect(warnings).toHaveLength(1);
  }, 5_000);

  it('come back once the database answers again', async () => {
    let down = true;
    const { url } = await serve(async () => {
      if (down) throw new Error('down');
      return FIGURES;
    });
    expect(samplesOf((await scrape(url)).samples, 'sms_sync_stale_courses')).toEqual([]);

    down = false;
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    expect(valueOf((await scrape(url)).samples, 'sms_sync_stale_courses')).toBe(3);
  });
});

describe('the metrics listener', () => {
  it('serves GET /metrics only', async () => {
    const log = createLogger('silent');
    const server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      scrape: async () => 'up 1\n',
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      log,
    });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const metrics = await fetch(server.url);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await metrics.text()).toBe('up 1\n');
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
