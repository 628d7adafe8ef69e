import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startOnFreePort, startProcess, type ManagedProcess } from './processes';

/**
 * A real Prometheus on loopback that scrapes the local worker and API and evaluates the project's alert
 * rules: for `sms-sync dev --prometheus` and for the test that checks the metrics through Prometheus's own
 * HTTP API. Its data lives in a temporary folder that goes with it.
 */

export interface ScrapeTarget {
  job: string;
  /** host:port of a /metrics listener. */
  address: string;
}

export interface PrometheusOptions {
  binary: string;
  targets: readonly ScrapeTarget[];
  ruleFiles: readonly string[];
  /** Short by default, so that a local run shows a change within seconds. */
  intervalSeconds?: number;
  port?: number;
  readyTimeoutMs?: number;
}

export interface LocalPrometheus {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

const DEFAULT_INTERVAL_SECONDS = 2;
const DEFAULT_READY_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 1_000;

/** Prometheus reads YAML, and JSON is YAML: no YAML writer is needed. */
function prometheusConfig(options: PrometheusOptions): string {
  const interval = `${options.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS}s`;
  return JSON.stringify(
    {
      global: { scrape_interval: interval, evaluation_interval: interval },
      rule_files: options.ruleFiles.map((file) => path.resolve(file)),
      scrape_configs: options.targets.map(({ job, address }) => ({
        job_name: job,
        static_configs: [{ targets: [address] }],
      })),
    },
    null,
    2,
  );
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function startPrometheus(options: PrometheusOptions): Promise<LocalPrometheus> {
  return startOnFreePort(options.port, async (port) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sms-prometheus-'));
    const configFile = path.join(dir, 'prometheus.yml');
    writeFileSync(configFile, prometheusConfig(options));
    const url = `http://127.0.0.1:${port}`;
    const process = await startProcess({
      name: 'Prometheus',
      binary: options.binary,
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      endpoint: url,
      isReady: () => answers(`${url}/-/ready`),
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      afterExit: () => rmSync(dir, { recursive: true, force: true }),
    });
    return { url, process, stop: () => process.stop() };
  });
}
