import { z } from 'zod';
import { Secret } from './secret';

/**
 * The only module that reads the environment. Every entry point calls
 * `loadConfig` once at start-up, naming the variables its command cannot run
 * without, and passes the typed result down.
 */

const durationPattern = /^(\d+)(ms|s|m|h)$/;
const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `90s`, `30m`, `1h`, `500ms` → milliseconds. */
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

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const url = (what: string) =>
  optionalText.refine((value) => value === undefined || URL.canParse(value), `expected ${what}`);

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
  MOODLE_URL: url('an http(s) URL of the Moodle site').refine(
    (value) => value === undefined || /^https?:\/\//.test(value),
    'expected an http(s) URL of the Moodle site',
  ),
  MOODLE_TOKEN: optionalText,
  MOODLE_TIMEOUT: duration('60s'),
  MOODLE_MAX_CONNECTIONS: integer(4, 1, 64),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type Env = z.infer<typeof envSchema>;
export type ConfigVariable = keyof Env;

/** Every variable the service reads (the README's configuration table and docker-compose.yml use these). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as ConfigVariable[];

export interface Config {
  mongo: { uri?: string; database: string };
  temporal: { address?: string; namespace: string; taskQueue: string };
  tools: { temporalCliPath?: string; ferretDbPath?: string };
  moodle: { url?: string; token?: Secret; timeoutMs: number; maxConnections: number };
  logLevel: Env['LOG_LEVEL'];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export interface LoadConfigOptions {
  /** Variables the calling command cannot run without. */
  require?: ConfigVariable[];
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadConfigOptions = {},
): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // Never echo a value back: the variable might hold a secret.
      problems.push(`${issue.path.join('.')}: ${issue.message}`);
    }
  }
  for (const name of options.require ?? []) {
    const value = env[name];
    if (value === undefined || value.trim() === '') problems.push(`${name}: required but not set`);
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError([...new Set(problems)].sort());

  const e = parsed.data;
  return {
    mongo: { uri: e.MONGODB_URI, database: e.MONGODB_DB },
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    tools: { temporalCliPath: e.TEMPORAL_CLI_PATH, ferretDbPath: e.FERRETDB_PATH },
    moodle: {
      url: e.MOODLE_URL,
      token: e.MOODLE_TOKEN === undefined ? undefined : new Secret(e.MOODLE_TOKEN),
      timeoutMs: e.MOODLE_TIMEOUT,
      maxConnections: e.MOODLE_MAX_CONNECTIONS,
    },
    logLevel: e.LOG_LEVEL,
  };
}
