import { catalogProblems } from '../../support/metrics-catalog';
import { checkBalanced, promqlReferences } from '../../support/promql';

// The name checks of the alert rules and the dashboard read PromQL with this; it must tell metric
// names from functions, keywords, labels and durations, or those checks would pass on anything.

describe('the PromQL reader of the ops checks', () => {
  it('lists the selectors and the grouping labels of an expression', () => {
    expect(
      promqlReferences(
        'histogram_quantile(0.95, sum by (le, kind) (rate(m_bucket{kind=~"A|B", job!="x"}[$window]))) > 1e3' +
          ' and on (kind) max without (instance) (n offset 1h) or vector(0)' +
          ' unless label_replace(o, "d", "$1", "s", "(.*)")',
      ),
    ).toEqual({
      selectors: [
        {
          metric: 'm_bucket',
          matchers: [
            { label: 'kind', op: '=~', value: 'A|B' },
            { label: 'job', op: '!=', value: 'x' },
          ],
        },
        { metric: 'n', matchers: [] },
        { metric: 'o', matchers: [] },
      ],
      groupingLabels: ['le', 'kind', 'kind', 'instance'],
    });
  });

  it('refuses a selector without a metric name, and unbalanced brackets', () => {
    expect(() => promqlReferences('{__name__=~"sms_.*"}')).toThrow(/without a metric name/);
    expect(() => checkBalanced('sum(rate(x[5m])')).toThrow(/missing/);
    expect(() => checkBalanced('sum(rate(x[5m)))')).toThrow(/unbalanced/);
  });

  it('finds metrics and labels that the catalog does not have', () => {
    expect(catalogProblems('sum by (results) (increase(sms_sync_enrollments_total[1h]))')).toEqual([
      'none of the metrics it reads has the label results',
    ]);
    expect(catalogProblems('rate(sms_sync_moodle_call_errors_total{function="x"}[5m])')).toEqual([
      'sms_sync_moodle_call_errors_total has no label function',
    ]);
    expect(catalogProblems('max(sms_sync_stale_course)')).toEqual([
      'sms_sync_stale_course is not in src/metrics/catalog.ts',
    ]);
    expect(catalogProblems('sum by (le) (rate(sms_api_graphql_duration_seconds_bucket[5m]))')).toEqual([]);
    expect(catalogProblems('sum by (job) (up) + count(ALERTS{alertname="SmsSyncFailing"})')).toEqual([]);
  });
});
