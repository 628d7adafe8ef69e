import path from 'node:path';
import { findExecutable } from './executables';

/**
 * For tests that run a real Prometheus (Debian's `prometheus` package, which CI installs; PROMETHEUS_PATH may
 * point at another): where its binary is, and a client of its HTTP API (/api/v1) that reads the metrics as
 * Prometheus stored them, the targets' scrape health, the rules' evaluation health and the alerts.
 */

const REQUEST_TIMEOUT_MS = 2_000;

/**
 * The binary that `configured` (config.tools.prometheusPath) names, as an absolute path. A missing one fails
 * the test rather than skipping it: the scrape of the real endpoints would otherwise go unchecked.
 */
export function findPrometheus(configured: string): string {
  const found = findExecutable(configured);
  if (found === undefined) {
    throw new Error(
      `Prometheus is not installed (PROMETHEUS_PATH=${configured}: ` +
        `${configured.includes(path.sep) ? 'not an executable file' : 'not found on PATH'}). ` +
        'This test runs a real Prometheus that scrapes the worker and the API: install Debian’s prometheus package ' +
        '(apt-get install prometheus, as CI does) or set PROMETHEUS_PATH to a prometheus binary.',
    );
  }
  return found;
}

export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

export interface ActiveTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export interface RuleGroup {
  name: string;
  file: string;
  rules: {
    name: string;
    type: 'alerting' | 'recording';
    health: 'ok' | 'err' | 'unknown';
    lastError?: string;
  }[];
}

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface PrometheusApi {
  /** An instant query; refuses anything but a vector, which is what every check here asks for. */
  query(expr: string): Promise<VectorSample[]>;
  targets(): Promise<ActiveTarget[]>;
  ruleGroups(): Promise<RuleGroup[]>;
  alerts(): Promise<Alert[]>;
}

/** Sample values come as strings, Go's spelling of infinities included. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export function prometheusApi(baseUrl: string): PrometheusApi {
  async function get<T>(endpoint: string, params: Record<string, string> = {}): Promise<T> {
    const url = new URL(`/api/v1/${endpoint}`, baseUrl);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = (await response.json()) as { status: string; data: T; errorType?: string; error?: string };
    if (body.status !== 'success') {
      throw new Error(`Prometheus /api/v1/${endpoint} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    }
    return body.data;
  }

  return {
    async query(expr) {
      const data = await get<{
        resultType: string;
        result: { metric: Record<string, string>; value: [number, string] }[];
      }>('query', { query: expr });
      if (data.resultType !== 'vector') throw new Error(`${expr} is a ${data.resultType}, not a vector`);
      return data.result.map(({ metric, value }) => ({ metric, value: sampleValue(value[1]) }));
    },
    targets: async () => (await get<{ activeTargets: ActiveTarget[] }>('targets', { state: 'active' })).activeTargets,
    ruleGroups: async () => (await get<{ groups: RuleGroup[] }>('rules')).groups,
    alerts: async () => (await get<{ alerts: Alert[] }>('alerts')).alerts,
  };
}

/**
 * Runs `check` (assertions included) until it passes, and returns what it returned. Prometheus shows a change
 * only after its next scrape and rule evaluation; past `timeoutMs`, the last failure is thrown, so that the
 * test says what Prometheus still answered.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`still not so after ${timeoutMs} ms; the last check said:\n${reason}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
