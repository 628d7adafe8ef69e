import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promqlReferences } from '../../support/promql';
import { promtool, REPO_ROOT } from '../../support/promtool';
import { parse as parseYaml } from 'yaml';

// The compose stack's Prometheus configuration (test/unit/docker-compose.test.ts checks its wiring).

const CONFIG = 'ops/prometheus/prometheus.yml';

const config = parseYaml(readFileSync(path.join(REPO_ROOT, CONFIG), 'utf8')) as {
  rule_files: string[];
  scrape_configs: { job_name: string }[];
};

describe('the Prometheus configuration (ops/prometheus/prometheus.yml)', () => {
  it('passes promtool check config, rule files included', () => {
    const { status, output } = promtool(['check', 'config', CONFIG]);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 1 rule files found') });
    expect(output).toContain('ops/prometheus/alerts.yml');
  });

  it('loads the alert rules', () => {
    expect(config.rule_files).toEqual(['alerts.yml']);
  });

  it('names its jobs as the dashboard’s scrape-target panel selects them', () => {
    const dashboard = readFileSync(path.join(REPO_ROOT, 'ops/grafana/dashboards/sms-sync.json'), 'utf8');
    const exprs = (JSON.parse(dashboard) as { panels: { targets?: { expr: string }[] }[] }).panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => target.expr),
    );
    const jobMatchers = exprs
      .flatMap((expr) => promqlReferences(expr).selectors)
      .filter((selector) => selector.metric === 'up')
      .flatMap((selector) => selector.matchers.filter((matcher) => matcher.label === 'job'));
    expect(jobMatchers.length).toBeGreaterThan(0);
    for (const matcher of jobMatchers) {
      const pattern = new RegExp(`^(?:${matcher.value})$`);
      expect(config.scrape_configs.map((job) => job.job_name).filter((name) => !pattern.test(name))).toEqual([]);
    }
  });
});
