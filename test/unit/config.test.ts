import { inspect } from 'node:util';
import { ConfigError, loadConfig, parseDurationMs } from '../../src/config';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mongo: { uri: undefined, database: 'sms_sync' },
      temporal: { address: undefined, namespace: 'default', taskQueue: 'sms-sync-v1' },
      moodle: { url: undefined, token: undefined, timeoutMs: 60_000, maxConnections: 4 },
      logLevel: 'info',
    });
  });

  it('parses every variable into typed values', () => {
    const config = loadConfig({
      MONGODB_URI: 'mongodb://db.example:27017/?directConnection=true',
      MONGODB_DB: 'sms_prod',
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      MOODLE_URL: 'https://moodle.example.edu/sub',
      MOODLE_TOKEN: 'abc123',
      MOODLE_TIMEOUT: '90s',
      MOODLE_MAX_CONNECTIONS: '8',
      LOG_LEVEL: 'debug',
    });
    expect(config.mongo).toEqual({ uri: 'mongodb://db.example:27017/?directConnection=true', database: 'sms_prod' });
    expect(config.temporal.address).toBe('temporal.example:7233');
    expect(config.moodle.timeoutMs).toBe(90_000);
    expect(config.moodle.maxConnections).toBe(8);
    expect(config.moodle.token?.reveal()).toBe('abc123');
    expect(config.logLevel).toBe('debug');
  });

  it('lists every missing and invalid variable in one error, without echoing values', () => {
    const attempt = () =>
      loadConfig(
        {
          MONGODB_URI: 'postgres://secret-host',
          MOODLE_TIMEOUT: 'soon',
          MOODLE_MAX_CONNECTIONS: '0',
          LOG_LEVEL: 'loud',
        },
        { require: ['MOODLE_URL', 'MOODLE_TOKEN'] },
      );
    expect(attempt).toThrow(ConfigError);
    let error: ConfigError | undefined;
    try {
      attempt();
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error?.problems).toEqual([
      'LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
      'MONGODB_URI: expected a mongodb:// or mongodb+srv:// URI',
      'MOODLE_MAX_CONNECTIONS: must be at least 1',
      'MOODLE_TIMEOUT: expected a duration such as 30m, 90s or 1h, got "soon"',
      'MOODLE_TOKEN: required but not set',
      'MOODLE_URL: required but not set',
    ]);
    expect(error?.message).not.toContain('secret-host');
  });

  it('treats blank values as unset', () => {
    expect(() => loadConfig({ MOODLE_URL: '  ' }, { require: ['MOODLE_URL'] })).toThrow(
      'MOODLE_URL: required but not set',
    );
  });

  it('never prints the Moodle token', () => {
    const config = loadConfig({ MOODLE_TOKEN: 'f00dfeedf00dfeedf00dfeedf00dfeed' });
    const renderings = [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      `${config.moodle.token}`,
      String(config.moodle),
    ];
    for (const text of renderings) expect(text).not.toContain('f00dfeed');
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
  ])('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', '30', 'm30', '1.5h', '-1s', '30 minutes'])('rejects %p', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );
});

describe('enrollment sync settings', () => {
  it('default to a 30-minute interval, 4 courses at once and per-student downloads for ≤ 10 % (at most 20)', () => {
    expect(loadConfig({}).sync).toMatchObject({
      enrollmentIntervalMs: 30 * 60_000,
      courseConcurrency: 4,
      perStudent: { ratio: 0.1, max: 20 },
    });
  });

  it('are parsed and bounded', () => {
    const config = loadConfig({
      ENROLLMENT_SYNC_INTERVAL: '15m',
      SYNC_COURSE_CONCURRENCY: '8',
      ENROLLMENT_PER_STUDENT_RATIO: '0.25',
      ENROLLMENT_PER_STUDENT_MAX: '0',
      ENROLLMENT_PER_STUDENT_RECOUNT: '6h',
    });
    expect(config.sync).toMatchObject({
      enrollmentIntervalMs: 15 * 60_000,
      courseConcurrency: 8,
      perStudent: { ratio: 0.25, max: 0, recountEveryMs: 6 * 3_600_000 },
    });
    expect(loadConfig({}).sync.perStudent.recountEveryMs).toBe(24 * 3_600_000);
    expect(() => loadConfig({ SYNC_COURSE_CONCURRENCY: '0', ENROLLMENT_PER_STUDENT_RATIO: '2' })).toThrow(ConfigError);
  });
});
