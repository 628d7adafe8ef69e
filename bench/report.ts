import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Plain-text output of the benchmarks: aligned figures and PASS/MISS verdicts, and the same as JSON. */

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function thousands(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function figure(label: string, value: string): void {
  console.log(`  ${label.padEnd(22)} ${value}`);
}

export function heading(title: string): void {
  console.log(`\n${title}\n${'-'.repeat(title.length)}`);
}

export interface Verdict {
  target: string;
  pass: boolean;
  measured: string;
}

const verdicts: Verdict[] = [];

function printVerdict({ target, pass, measured }: Verdict): void {
  console.log(`  ${pass ? 'PASS' : 'MISS'}  ${target}: ${measured}`);
}

/** Prints a target with PASS or MISS and remembers it for the summary. */
export function verdict(target: string, pass: boolean, measured: string): void {
  const entry = { target, pass, measured };
  verdicts.push(entry);
  printVerdict(entry);
}

/** Every verdict again, so a long run ends with the answer; the exit code stays 0 (a benchmark, not a test). */
export function printSummary(): void {
  heading('Targets');
  verdicts.forEach(printVerdict);
}

export function callList(calls: Record<string, number>): string {
  const total = Object.values(calls).reduce((sum, count) => sum + count, 0);
  const parts = Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count}`);
  return `${total} (${parts.join(', ')})`;
}

const figures: Record<string, unknown> = {};

/** Keeps a measured figure for the JSON results (`record('run1.wallMs', 61_400)`). */
export function record(key: string, value: unknown): void {
  figures[key] = value;
}

export const RESULTS_DIR = path.resolve(__dirname, 'results');

/**
 * Writes `bench/results/<name>.json`: what was run, on what, every recorded
 * figure and every verdict, so the next run can be compared with this one.
 */
export function writeResults(name: string, settings: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  const machine = {
    cpus: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
  const results = { benchmark: name, at: new Date().toISOString(), machine, settings, figures, verdicts };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults written to ${path.relative(process.cwd(), file)}`);
  return file;
}
