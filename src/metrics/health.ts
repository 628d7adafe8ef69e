import type { Gauge } from 'prom-client';
import { CONNECTION_STATUSES, type ConnectionStatus } from '../domain/connection-state';
import type { SyncKind } from '../domain/sync-run';
import type { Logger } from '../logger';
import type { GaugeCollector, GaugeKey } from './registry';

/** The sync health a scrape reports, read from the database (src/use-cases/sync-health.ts). */
export interface SyncHealthFigures {
  runs: Record<SyncKind, { lastSuccessAt: Date | null; lastStartAt: Date | null }>;
  connection: ConnectionStatus;
  openErrors: readonly { code: string; count: number }[];
  staleCourses: number;
  heldDeletions: number;
}

export type HealthGaugeKey = Extract<
  GaugeKey,
  'lastSuccess' | 'lastStart' | 'connectionState' | 'openErrors' | 'staleCourses' | 'heldDeletions'
>;

/** A scrape answers within this even when the database does not: Prometheus' own timeout is 10 s by default. */
export const HEALTH_READ_TIMEOUT_MS = 2_000;
/** The gauges of one scrape are collected together: they share one read. */
const SHARED_READ_MS = 1_000;

const seconds = (date: Date) => date.getTime() / 1000;

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The health gauges' collectors, over one `read` per scrape. When the read fails or takes longer
 * than `timeoutMs` (the database is down), the scrape still answers, without these gauges, and a
 * warning is logged: an absent series says "unknown", where a stale value would lie.
 */
export function healthCollectors(
  read: () => Promise<SyncHealthFigures>,
  options: { log: Logger; timeoutMs?: number },
): Record<HealthGaugeKey, GaugeCollector> {
  const timeoutMs = options.timeoutMs ?? HEALTH_READ_TIMEOUT_MS;
  let latest: { startedAt: number; figures: Promise<SyncHealthFigures | undefined> } | undefined;

  function figures(): Promise<SyncHealthFigures | undefined> {
    const now = Date.now();
    if (latest === undefined || now - latest.startedAt > SHARED_READ_MS) {
      const figures = withTimeout(read(), timeoutMs).catch((error: unknown) => {
        options.log.warn({ err: error }, 'metrics: sync health unreadable from the database; its gauges are left out');
        return undefined;
      });
      latest = { startedAt: now, figures };
    }
    return latest.figures;
  }

  const collector =
    (set: (gauge: Gauge<string>, health: SyncHealthFigures) => void): GaugeCollector =>
    async (gauge) => {
      const health = await figures();
      gauge.reset();
      // reset() leaves an unlabelled gauge at 0, which would read as a figure: remove that too.
      if (health === undefined) gauge.remove({});
      else set(gauge, health);
    };

  const perKind = (pick: (run: SyncHealthFigures['runs'][SyncKind]) => Date | null) =>
    collector((gauge, health) => {
      for (const [kind, run] of Object.entries(health.runs)) {
        const at = pick(run);
        if (at !== null) gauge.set({ kind }, seconds(at));
      }
    });

  return {
    lastSuccess: perKind((run) => run.lastSuccessAt),
    lastStart: perKind((run) => run.lastStartAt),
    connectionState: collector((gauge, health) => {
      for (const state of CONNECTION_STATUSES) gauge.set({ state }, state === health.connection ? 1 : 0);
    }),
    openErrors: collector((gauge, health) => {
      for (const { code, count } of health.openErrors) gauge.set({ code }, count);
    }),
    staleCourses: collector((gauge, health) => gauge.set(health.staleCourses)),
    heldDeletions: collector((gauge, health) => gauge.set(health.heldDeletions)),
  };
}
