import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS, type MetricKey } from './catalog';

type Catalog = typeof METRICS;

/** The process that serves a registry: each registers only what the catalog says it exports. */
export type MetricsRole = Catalog[MetricKey]['exportedBy'][number];

type LabelOf<K extends MetricKey> = Catalog[K]['labels'][number];
type KeyOfType<T> = { [K in MetricKey]: Catalog[K]['type'] extends T ? K : never }[MetricKey];

export type CounterKey = KeyOfType<'counter'>;
export type GaugeKey = KeyOfType<'gauge'>;
export type HistogramKey = KeyOfType<'histogram'>;

/** A gauge's values, computed when Prometheus scrapes (prom-client awaits it before rendering the gauge). */
export type GaugeCollector = (gauge: Gauge<string>) => Promise<void>;

/** One process's metrics, typed by the catalog: `counter('syncRuns')` takes exactly its labels. */
export interface ServiceMetrics {
  readonly registry: Registry;
  counter<K extends CounterKey>(key: K): Counter<LabelOf<K>>;
  histogram<K extends HistogramKey>(key: K): Histogram<LabelOf<K>>;
  gauge<K extends GaugeKey>(key: K): Gauge<LabelOf<K>>;
}

/**
 * Seconds. Runs take from seconds (a course list) to hours (5,000 gradebooks); a grade report
 * may take minutes (docs/moodle.md §10); the API answers in milliseconds.
 */
const BUCKETS: Record<HistogramKey, number[]> = {
  syncRunDuration: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400],
  moodleCallDuration: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  apiDuration: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
};

function isHistogramKey(key: MetricKey): key is HistogramKey {
  return METRICS[key].type === 'histogram';
}

/**
 * Registers every metric the catalog lists for `role` in a registry of its own, plus prom-client's
 * default process metrics (`process_resident_memory_bytes`, CPU, event-loop lag, heap, GC), and
 * nothing else. `collectors` gives gauges that are read at scrape time their values.
 */
export function createServiceMetrics(
  role: MetricsRole,
  collectors: Partial<Record<GaugeKey, GaugeCollector>> = {},
): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new Map<MetricKey, Counter<string> | Gauge<string> | Histogram<string>>();
  for (const key of Object.keys(METRICS) as MetricKey[]) {
    const { name, help, labels, type, exportedBy } = METRICS[key];
    if (!(exportedBy as readonly MetricsRole[]).includes(role)) continue;
    const common = { name, help, labelNames: [...labels], registers: [registry] };
    if (isHistogramKey(key)) {
      metrics.set(key, new Histogram({ ...common, buckets: BUCKETS[key] }));
    } else if (type === 'counter') {
      metrics.set(key, new Counter(common));
    } else {
      const collect = collectors[key as GaugeKey];
      metrics.set(
        key,
        new Gauge({
          ...common,
          ...(collect && {
            async collect(this: Gauge<string>) {
              await collect(this);
            },
          }),
        }),
      );
    }
  }

  function get(key: MetricKey) {
    const metric = metrics.get(key);
    if (metric === undefined) throw new Error(`${METRICS[key].name} is not exported by the ${role}`);
    return metric;
  }
  return {
    registry,
    counter<K extends CounterKey>(key: K) {
      return get(key) as Counter<LabelOf<K>>;
    },
    histogram<K extends HistogramKey>(key: K) {
      return get(key) as Histogram<LabelOf<K>>;
    },
    gauge<K extends GaugeKey>(key: K) {
      return get(key) as Gauge<LabelOf<K>>;
    },
  };
}
