import { z } from 'zod';
import { DEFAULT_DELETION_GUARD_RATIO } from '../domain/course-diff';
import { DEFAULT_EVENTS_PER_MINUTE } from '../domain/moodle-events';
import { DEFAULT_PER_STUDENT_SETTINGS, type PerStudentSettings } from '../domain/enrollment-sync';
import { DEFAULT_COURSE_CONCURRENCY } from '../domain/sync-run';
import { Secret } from '../secret';
import { readDevState, type DevState } from './dev-state';

/**
 * The only module that reads the environment. Every entry point calls
 * `loadConfig` once at start-up, naming the variables its command cannot run
 * without, and passes the typed result down.
 */

const durationPattern = /^(\d+)(ms|s|m|h|d)$/;
const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `30m`, `1h`, `7d`, `500ms` → milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDurationMs(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 30m, 90s or 1h, got "${text}"` });
        return z.NEVER;
      }
      return ms;
    });

const integer = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

const share = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a share between 0 and 1, e.g. 0.5' })
    .min(0, 'expected a share between 0 and 1, e.g. 0.5')
    .max(1, 'expected a share between 0 and 1, e.g. 0.5')
    .default(fallback);

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const optionalInteger = (min: number, max: number) =>
  optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a whole number' })
      .int('expected a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .optional(),
  );

const url = (what: string) =>
  optionalText.refine((value) => value === undefined || URL.canParse(value), `expected ${what}`);

/** Git-ignored, relative to the folder a command runs in. */
const DEFAULT_STATE_DIR = '.local';

const envSchema = z.object({
  MONGODB_URI: url('a mongodb:// or mongodb+srv:// URI').refine(
    (value) => value === undefined || /^mongodb(\+srv)?:\/\//.test(value),
    'expected a mongodb:// or mongodb+srv:// URI',
  ),
  MONGODB_DB: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,63}$/, 'letters, digits, "_" and "-" only (at most 63)')
    .default('sms_sync'),
  TEMPORAL_ADDRESS: optionalText.refine(
    (value) => value === undefined || /^[^\s:]+:\d+$/.test(value),
    'expected host:port',
  ),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('sms-sync-v1'),
  TEMPORAL_CLI_PATH: optionalText,
  FERRETDB_PATH: optionalText,
  POSTGRES_BIN_DIR: optionalText,
  /** Debian's `prometheus` package puts it on PATH; `sms-sync dev --prometheus` and a test start it. */
  PROMETHEUS_PATH: z.string().min(1).default('prometheus'),
  MOODLE_URL: url('an http(s) URL of the Moodle site').refine(
    (value) => value === undefined || /^https?:\/\//.test(value),
    'expected an http(s) URL of the Moodle site',
  ),
  MOODLE_TOKEN: optionalText,
  MOODLE_TIMEOUT: duration('60s'),
  MOODLE_MAX_CONNECTIONS: integer(4, 1, 64),
  COURSE_SYNC_INTERVAL: duration('30m'),
  COURSE_DELETION_GUARD: share(DEFAULT_DELETION_GUARD_RATIO),
  ENROLLMENT_SYNC_INTERVAL: duration('30m'),
  SYNC_COURSE_CONCURRENCY: integer(DEFAULT_COURSE_CONCURRENCY, 1, 64),
  ENROLLMENT_PER_STUDENT_RATIO: share(DEFAULT_PER_STUDENT_SETTINGS.ratio),
  ENROLLMENT_PER_STUDENT_MAX: integer(DEFAULT_PER_STUDENT_SETTINGS.max, 0, 1000),
  ENROLLMENT_PER_STUDENT_RECOUNT: duration(`${DEFAULT_PER_STUDENT_SETTINGS.recountEveryMs / 3_600_000}h`),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  /** Unset: 4000 for `sms-sync api`, a free port for `sms-sync dev`. */
  API_PORT: optionalInteger(0, 65_535),
  API_KEYS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const entries = text
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      const keys: ApiKeyEntry[] = [];
      for (const [index, entry] of entries.entries()) {
        const match = /^(reader|admin):([0-9a-f]{64})$/i.exec(entry);
        if (!match) {
          ctx.addIssue({
            code: 'custom',
            message:
              `entry ${index + 1}: expected role:sha256 with role reader or admin ` +
              `and a 64-digit hex SHA-256 (see "sms-sync api-key")`,
          });
          continue;
        }
        keys.push({ role: match[1]!.toLowerCase() as ApiKeyEntry['role'], sha256: match[2]!.toLowerCase() });
      }
      return keys;
    }),
  /** The shared secret Moodle's event forwarder sends; unset, POST /hooks/moodle answers 404. */
  MOODLE_WEBHOOK_SECRET: optionalText.refine(
    (value) => value === undefined || value.length >= 16,
    'must be at least 16 characters (e.g. openssl rand -hex 32)',
  ),
  MOODLE_WEBHOOK_RATE_LIMIT: integer(DEFAULT_EVENTS_PER_MINUTE, 1, 1_000_000),
  /** Where the worker and the API serve Prometheus's /metrics, each on a listener of its own. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0: a free port; unset: the metrics listener is off. */
  WORKER_METRICS_PORT: optionalInteger(0, 65_535),
  API_METRICS_PORT: optionalInteger(0, 65_535),
  /** OpenTelemetry's own variable: set, a sync is traced from schedule to database write and exported there. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url('an http(s) URL of an OTLP/HTTP collector'),
  OTEL_SERVICE_NAME: z.string().min(1).default('sms-sync'),
  LOCAL_STATE_DIR: z.string().min(1).default(DEFAULT_STATE_DIR),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The login name, which the CLI signs its notes on schedules with. */
  USER: optionalText,
});

/** An API key as configured: its role and the SHA-256 of the key, never the key itself. */
export interface ApiKeyEntry {
  role: 'reader' | 'admin';
  /** Hex SHA-256 of the key. */
  sha256: string;
}

type Env = z.infer<typeof envSchema>;
export type ConfigVariable = keyof Env;

/** Every variable the service reads (the README's configuration table and docker-compose.yml use these). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as ConfigVariable[];

export interface Config {
  mongo: { uri?: string; database: string };
  temporal: { address?: string; namespace: string; taskQueue: string };
  tools: { temporalCliPath?: string; ferretDbPath?: string; postgresBinDir?: string; prometheusPath: string };
  moodle: { url?: string; token?: Secret; timeoutMs: number; maxConnections: number };
  sync: {
    courseIntervalMs: number;
    deletionGuardRatio: number;
    enrollmentIntervalMs: number;
    /** Courses synced at once by an enrollment sync. */
    courseConcurrency: number;
    /** When a course's enrollments are few enough for per-student grade downloads (0 max turns them off). */
    perStudent: PerStudentSettings;
  };
  /** `port` is undefined when API_PORT is not set. */
  api: { host: string; port?: number; keys: ApiKeyEntry[]; graphiql: boolean };
  /** Moodle's events: `secret` undefined turns the route off. */
  hooks: { secret?: Secret; ratePerMinute: number };
  /** A port is undefined when that process serves no metrics. */
  metrics: { host: string; workerPort?: number; apiPort?: number };
  /** `otlpEndpoint` undefined: no tracing at all, at no cost. */
  tracing: { otlpEndpoint?: string; serviceName: string };
  local: {
    /** Where `sms-sync dev` keeps its state file and log (git-ignored). */
    stateDir: string;
    /** The running `sms-sync dev` whose services this configuration falls back to. */
    devStack?: Pick<DevState, 'pid' | 'graphqlUrl' | 'temporalUiUrl'>;
  };
  logLevel: Env['LOG_LEVEL'];
  /** Who runs the CLI, for the notes it leaves on schedules. */
  operator: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** What each variable a command may require guarantees in the configuration it gets. */
interface Guarantees {
  MONGODB_URI: { mongo: { uri: string } };
  TEMPORAL_ADDRESS: { temporal: { address: string } };
  MOODLE_URL: { moodle: { url: string } };
  MOODLE_TOKEN: { moodle: { token: Secret } };
}

type Intersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/** The configuration of a command that required `R`: those settings are no longer optional. */
export type ConfigWith<R extends ConfigVariable> = Config & Intersection<Guarantees[Extract<R, keyof Guarantees>]>;

export interface LoadConfigOptions<R extends ConfigVariable = never> {
  /** Variables the calling command cannot run without. */
  require?: readonly R[];
  /**
   * Fall back to the services of a `sms-sync dev` running from this folder for
   * the variables that are not set (the ops commands; never `worker`/`api`).
   */
  useDevStack?: boolean;
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

function devStackDefaults(env: Record<string, string | undefined>): {
  env: Record<string, string | undefined>;
  devStack?: DevState;
} {
  const devStack = readDevState(isSet(env.LOCAL_STATE_DIR) ? env.LOCAL_STATE_DIR : DEFAULT_STATE_DIR);
  if (devStack === undefined) return { env };
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => isSet(value)));
  return { env: { ...devStack.defaults, ...set }, devStack };
}

export function loadConfig<R extends ConfigVariable = never>(
  environment: Record<string, string | undefined> = process.env,
  options: LoadConfigOptions<R> = {},
): ConfigWith<R> {
  const { env, devStack } = options.useDevStack ? devStackDefaults(environment) : { env: environment };
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // Never echo a value back: the variable might hold a secret.
      problems.push(`${issue.path.join('.')}: ${issue.message}`);
    }
  }
  for (const name of options.require ?? []) {
    if (!isSet(env[name])) problems.push(`${name}: required but not set`);
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError([...new Set(problems)].sort());

  const e = parsed.data;
  const config: Config = {
    mongo: { uri: e.MONGODB_URI, database: e.MONGODB_DB },
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    tools: {
      temporalCliPath: e.TEMPORAL_CLI_PATH,
      ferretDbPath: e.FERRETDB_PATH,
      postgresBinDir: e.POSTGRES_BIN_DIR,
      prometheusPath: e.PROMETHEUS_PATH,
    },
    moodle: {
      url: e.MOODLE_URL,
      token: e.MOODLE_TOKEN === undefined ? undefined : new Secret(e.MOODLE_TOKEN),
      timeoutMs: e.MOODLE_TIMEOUT,
      maxConnections: e.MOODLE_MAX_CONNECTIONS,
    },
    sync: {
      courseIntervalMs: e.COURSE_SYNC_INTERVAL,
      deletionGuardRatio: e.COURSE_DELETION_GUARD,
      enrollmentIntervalMs: e.ENROLLMENT_SYNC_INTERVAL,
      courseConcurrency: e.SYNC_COURSE_CONCURRENCY,
      perStudent: {
        ratio: e.ENROLLMENT_PER_STUDENT_RATIO,
        max: e.ENROLLMENT_PER_STUDENT_MAX,
        recountEveryMs: e.ENROLLMENT_PER_STUDENT_RECOUNT,
      },
    },
    api: { host: e.API_HOST, port: e.API_PORT, keys: e.API_KEYS, graphiql: e.NODE_ENV === 'development' },
    hooks: {
      secret: e.MOODLE_WEBHOOK_SECRET === undefined ? undefined : new Secret(e.MOODLE_WEBHOOK_SECRET),
      ratePerMinute: e.MOODLE_WEBHOOK_RATE_LIMIT,
    },
    metrics: { host: e.METRICS_HOST, workerPort: e.WORKER_METRICS_PORT, apiPort: e.API_METRICS_PORT },
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    local: {
      stateDir: e.LOCAL_STATE_DIR,
      devStack: devStack && {
        pid: devStack.pid,
        graphqlUrl: devStack.graphqlUrl,
        temporalUiUrl: devStack.temporalUiUrl,
      },
    },
    logLevel: e.LOG_LEVEL,
    operator: e.USER ?? 'an operator',
  };
  // Every required variable was checked as set above, which is all ConfigWith<R> adds.
  return config as ConfigWith<R>;
}
