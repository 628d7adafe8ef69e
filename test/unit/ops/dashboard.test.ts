import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { METRICS } from '../../../src/metrics/catalog';
import { catalogMetricsOf, catalogProblems } from '../../support/metrics-catalog';
import { checkBalanced } from '../../support/promql';
import { promtool, REPO_ROOT } from '../../support/promtool';
import { parse as parseYaml } from 'yaml';

// Grafana would show an empty panel, without an error, for a metric or label that does not exist: the
// queries are held to src/metrics/catalog.ts, and promtool parses each of them (as a recording rule).

const DASHBOARD = 'ops/grafana/dashboards/sms-sync.json';

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string; options?: { value: string }[] }[] };
}

const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, DASHBOARD), 'utf8')) as Dashboard;
const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
const queries = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Grafana's variables, replaced by a value of theirs so that promtool can parse the query. */
function substituted(expr: string): string {
  const windows = dashboard.templating.list.find((variable) => variable.name === 'window')?.options ?? [];
  const values: Record<string, string> = {
    __rate_interval: '2m',
    __interval: '1m',
    __range: '6h',
    window: windows[0]?.value ?? '1h',
  };
  return expr.replace(/\$(?:\{(\w+)\}|(\w+))/g, (variable, braced?: string, bare?: string) => {
    const value = values[braced ?? bare ?? ''];
    if (value === undefined) throw new Error(`unknown variable ${variable} in ${expr}`);
    return value;
  });
}

describe('the Grafana dashboard (ops/grafana/dashboards/sms-sync.json)', () => {
  it('has an uid, a data source variable and panels that each query it', () => {
    expect(dashboard).toMatchObject({ uid: 'sms-sync', title: expect.any(String) });
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      const targets = panel.targets ?? [];
      expect({ title: panel.title, datasource: panel.datasource, targets: targets.length > 0 }).toEqual({
        title: panel.title,
        datasource: DATASOURCE,
        targets: true,
      });
      for (const target of targets) expect(target).toMatchObject({ datasource: DATASOURCE, expr: expect.any(String) });
      const refIds = targets.map((target) => target.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('lays its panels out without overlaps, 24 columns wide, with ids of their own', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const overlaps: string[] = [];
    dashboard.panels.forEach((a, index) => {
      expect(a.gridPos.x + a.gridPos.w).toBeLessThanOrEqual(24);
      for (const b of dashboard.panels.slice(index + 1)) {
        const apart =
          a.gridPos.x + a.gridPos.w <= b.gridPos.x ||
          b.gridPos.x + b.gridPos.w <= a.gridPos.x ||
          a.gridPos.y + a.gridPos.h <= b.gridPos.y ||
          b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        if (!apart) overlaps.push(`${a.title} / ${b.title}`);
      }
    });
    expect(overlaps).toEqual([]);
  });

  it('queries only metrics and labels of the catalog', () => {
    const problems = queries.flatMap(({ panel, target }) => {
      checkBalanced(target.expr);
      return catalogProblems(target.expr).map((problem) => `${panel.title} ${target.refId}: ${problem}`);
    });
    expect(problems).toEqual([]);
  });

  it('shows every metric of the catalog', () => {
    const shown = new Set(queries.flatMap(({ target }) => catalogMetricsOf(target.expr)));
    expect(Object.values(METRICS).filter((metric) => !shown.has(metric.name))).toEqual([]);
  });

  it('has queries that promtool parses', () => {
    const rules = queries.map(({ panel, target }) => ({
      record: `dashboard:panel_${panel.id}:${target.refId}`,
      expr: substituted(target.expr),
    }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sms-sync-dashboard-'));
    try {
      // JSON is YAML too: promtool reads it as a rule file.
      writeFileSync(path.join(dir, 'queries.yml'), JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const { status, output } = promtool(['check', 'rules', 'queries.yml'], { cwd: dir });
      expect({ status, output }).toEqual({
        status: 0,
        output: expect.stringContaining(`SUCCESS: ${rules.length} rules`),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Grafana provisioning (ops/grafana/provisioning)', () => {
  const read = (file: string) =>
    parseYaml(readFileSync(path.join(REPO_ROOT, 'ops/grafana/provisioning', file), 'utf8')) as {
      apiVersion: number;
      datasources?: { type: string; url: string; isDefault?: boolean }[];
      providers?: { type: string; options: { path: string } }[];
    };

  it('provides a default Prometheus data source, which the dashboard picks', () => {
    expect(read('datasources/prometheus.yml')).toMatchObject({
      apiVersion: 1,
      datasources: [expect.objectContaining({ type: 'prometheus', isDefault: true, url: expect.any(String) })],
    });
  });

  it('loads dashboards from files', () => {
    expect(read('dashboards/sms-sync.yml')).toMatchObject({
      apiVersion: 1,
      providers: [expect.objectContaining({ type: 'file', options: { path: expect.stringMatching(/^\//) } })],
    });
  });
});
