/**
 * The benchmarks' worker, in a process of its own so that its memory is
 * measured alone (the benchmark process also holds the simulated site).
 * Forked with IPC and configured from the environment like `sms-sync worker`;
 * it counts its database commands through the driver's monitoring and
 * answers the parent's requests:
 * - `reset`: forget the counts and the peak RSS so far;
 * - `read`: the counts by command name and the peak RSS since the last reset;
 * - `stop`: drain, close and exit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { openConnections } from '../src/services/connections';
import { startWorkerService } from '../src/services/worker';
import { countQueries } from './api-load';

export type WorkerRequest = 'reset' | 'read' | 'stop';
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'reset' }
  | { type: 'read'; commands: Record<string, number>; peakRssMb: number; atPeak: MemoryBreakdown }
  | { type: 'stopped' };

/** Node's view of the process's memory, in MB, at the sample with the highest RSS. */
export type MemoryBreakdown = Record<keyof NodeJS.MemoryUsage, number>;

const MB = 1024 * 1024;
const SAMPLE_MS = 250;

/** Samples process.memoryUsage() and keeps the sample with the highest RSS, to say what the peak is made of. */
function sampleAtPeak(): { read(): MemoryBreakdown; reset(): void } {
  let peak: NodeJS.MemoryUsage | undefined;
  const sample = () => {
    const now = process.memoryUsage();
    if (peak === undefined || now.rss > peak.rss) peak = now;
  };
  setInterval(sample, SAMPLE_MS).unref();
  return {
    read: () =>
      Object.fromEntries(
        Object.entries(peak ?? process.memoryUsage()).map(([name, bytes]) => [name, Math.round(bytes / MB)]),
      ) as MemoryBreakdown,
    reset: () => {
      peak = undefined;
    },
  };
}

/** VmHWM: the process's peak resident set size, which writing 5 to clear_refs resets (Linux). */
function peakRssMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmHWM:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig(process.env, {
    require: ['MONGODB_URI', 'MONGODB_DB', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'MOODLE_URL', 'MOODLE_TOKEN'],
  });
  const connections = await openConnections(config, { monitorCommands: true });
  const worker = await startWorkerService(config, connections, { log: createLogger('warn', { role: 'bench-worker' }) });
  let counter = countQueries(connections.database.client);
  const memory = sampleAtPeak();
  const reply = (message: WorkerReply) => process.send?.(message);

  process.on('message', (request: WorkerRequest) => {
    if (request === 'reset') {
      counter.stop();
      counter = countQueries(connections.database.client);
      writeFileSync('/proc/self/clear_refs', '5');
      memory.reset();
      reply({ type: 'reset' });
    } else if (request === 'read') {
      reply({ type: 'read', commands: counter.byName(), peakRssMb: peakRssMb(), atPeak: memory.read() });
    } else {
      void worker
        .stop()
        .then(() => connections.close())
        .finally(() => {
          reply({ type: 'stopped' });
          process.disconnect?.();
        });
    }
  });
  // The benchmark died or was interrupted: never outlive it.
  process.once('disconnect', () => process.exit(0));
  reply({ type: 'ready' });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
