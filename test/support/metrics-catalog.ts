import { METRICS } from '../../src/metrics/catalog';
import { promqlReferences } from './promql';

/**
 * What the alert rules and the dashboard may read: the series of src/metrics/catalog.ts (a histogram
 * is read through its _bucket, _sum and _count series) and the few Prometheus makes itself. An
 * expression naming anything else would show nothing or never fire, and nobody would notice.
 */

interface Series {
  /** The catalog's name for it, or null for a series Prometheus makes. */
  catalogName: string | null;
  /** null: any label (ALERTS carries the labels of every alert). */
  labels: readonly string[] | null;
}

/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];

const PROMETHEUS_SERIES: Record<string, Series> = {
  up: { catalogName: null, labels: [] },
  ALERTS: { catalogName: null, labels: null },
  ALERTS_FOR_STATE: { catalogName: null, labels: null },
};

function catalogSeries(): Map<string, Series> {
  const series = new Map(Object.entries(PROMETHEUS_SERIES));
  for (const metric of Object.values(METRICS)) {
    if (metric.type !== 'histogram') {
      series.set(metric.name, { catalogName: metric.name, labels: metric.labels });
      continue;
    }
    series.set(`${metric.name}_bucket`, { catalogName: metric.name, labels: [...metric.labels, 'le'] });
    series.set(`${metric.name}_sum`, { catalogName: metric.name, labels: metric.labels });
    series.set(`${metric.name}_count`, { catalogName: metric.name, labels: metric.labels });
  }
  return series;
}

const SERIES = catalogSeries();

/** Every way `expr` strays from the catalog: unknown metrics, labels they do not have. Empty when none. */
export function catalogProblems(expr: string): string[] {
  const { selectors, groupingLabels } = promqlReferences(expr);
  const problems: string[] = [];
  const known: Series[] = [];
  for (const { metric, matchers } of selectors) {
    const series = SERIES.get(metric);
    if (series === undefined) {
      problems.push(`${metric} is not in src/metrics/catalog.ts`);
      continue;
    }
    known.push(series);
    if (series.labels === null) continue;
    for (const { label } of matchers) {
      if (![...series.labels, ...TARGET_LABELS].includes(label)) problems.push(`${metric} has no label ${label}`);
    }
  }
  if (known.every((series) => series.labels !== null)) {
    const labels = new Set([...known.flatMap((series) => series.labels ?? []), ...TARGET_LABELS]);
    for (const label of groupingLabels) {
      if (!labels.has(label)) problems.push(`none of the metrics it reads has the label ${label}`);
    }
  }
  return problems;
}

/** The catalog names of the metrics `expr` reads. */
export function catalogMetricsOf(expr: string): string[] {
  return promqlReferences(expr).selectors.flatMap(({ metric }) => SERIES.get(metric)?.catalogName ?? []);
}
