import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionStatus } from '../../../src/domain/connection-state';
import type { MoodleErrorKind } from '../../../src/domain/moodle-data';
import { moodleErrorCode } from '../../../src/domain/sync-error-code';
import { SYNC_SCOPES } from '../../../src/domain/sync-scopes';
import { METRICS } from '../../../src/metrics/catalog';
import { MoodleError } from '../../../src/moodle/errors';
import { catalogProblems } from '../../support/metrics-catalog';
import { promqlReferences, type Matcher } from '../../support/promql';
import { promtool, REPO_ROOT } from '../../support/promtool';
import { parse as parseYaml } from 'yaml';

// promtool checks the rules and runs their unit tests; the checks after it hold the rules to the
// repository: every rule needed by a test, the runbook links, and the metric names, labels and
// label values to src/metrics/catalog.ts and the domain's vocabularies.

const RULES = 'ops/prometheus/alerts.yml';
const TESTS = 'ops/prometheus/alerts.test.yml';

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RuleFile {
  groups: { name: string; rules: AlertRule[] }[];
}

interface RuleTestFile {
  rule_files: string[];
  tests: { name?: string; alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: unknown[] }[] }[];
}

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const rulesSource = read(RULES);
const ruleFile = parseYaml(rulesSource) as unknown as RuleFile;
const rules = ruleFile.groups.flatMap((group) => group.rules);
const alertNames = [...new Set(rules.map((rule) => rule.alert))];
const ruleTests = parseYaml(read(TESTS)) as unknown as RuleTestFile;

/** Every kind, so that the type checker notices a new one. */
const MOODLE_ERROR_KINDS = Object.keys({
  'invalid-token': true,
  'account-blocked': true,
  'function-not-allowed': true,
  'function-unknown': true,
  'missing-capability': true,
  'webservices-disabled': true,
  'course-not-found': true,
  'course-inaccessible': true,
  'user-not-found': true,
  maintenance: true,
  unreachable: true,
  timeout: true,
  'server-error': true,
  'rate-limited': true,
  'invalid-parameter': true,
  protocol: true,
  'moodle-error': true,
} satisfies Record<MoodleErrorKind, true>) as MoodleErrorKind[];

const CONNECTION_STATES = Object.keys({
  HEALTHY: true,
  DEGRADED: true,
  FAILING: true,
  UNKNOWN: true,
} satisfies Record<ConnectionStatus, true>);

const SYNC_KINDS = Object.keys(SYNC_SCOPES.run);

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** The matchers of `label` on `metric` in the rules of `alert`. */
function matchersOf(alert: string, metric: string, label: string): Matcher[] {
  return rules
    .filter((rule) => rule.alert === alert)
    .flatMap((rule) => promqlReferences(rule.expr).selectors)
    .filter((selector) => selector.metric === metric)
    .flatMap((selector) => selector.matchers.filter((matcher) => matcher.label === label));
}

/** What a label matcher matches among `values` (PromQL anchors a regular expression at both ends). */
function matching(matcher: Matcher, values: readonly string[]): string[] {
  const pattern = new RegExp(`^(?:${matcher.value})$`);
  const matches = (value: string) => (matcher.op.endsWith('~') ? pattern.test(value) : value === matcher.value);
  return values.filter((value) => matches(value) === (matcher.op === '=~' || matcher.op === '='));
}

/**
 * Runs promtool test rules on `tests` and `rules`, both written as JSON (which is YAML too) from
 * this file's reading of them, in a folder of their own.
 */
function promtoolTest(rules: RuleFile, tests: RuleTestFile) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sms-sync-alerts-'));
  try {
    writeFileSync(path.join(dir, 'alerts.yml'), JSON.stringify(rules, null, 2));
    writeFileSync(path.join(dir, 'alerts.test.yml'), JSON.stringify({ ...tests, rule_files: ['alerts.yml'] }, null, 2));
    return promtool(['test', 'rules', 'alerts.test.yml'], { cwd: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the alert rules (ops/prometheus/alerts.yml)', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool(['check', 'rules', RULES]);
    expect({ status, output }).toEqual({
      status: 0,
      output: expect.stringContaining(`SUCCESS: ${rules.length} rules`),
    });
  });

  it('pass their unit tests (promtool test rules ops/prometheus/alerts.test.yml)', () => {
    const { status, output } = promtool(['test', 'rules', TESTS]);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('are read here as promtool reads them: re-written from this reading, rules and tests still pass', () => {
    expect(ruleTests.rule_files).toEqual([path.basename(RULES)]);
    const { status, output } = promtoolTest(ruleFile, ruleTests);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  // A rule that never fires must fail a test: then some test expects it to fire, at the labels and
  // annotations it has, and no rule rides along untested beside another of the same name. Only the
  // test groups about its alert are run, which keeps this quick.
  it.each(rules.map((rule, index) => [`${rule.alert} (${rule.labels.reason ?? 'its only rule'})`, index] as const))(
    'need every rule: the tests fail when %s never fires',
    (_, index) => {
      const silenced = structuredClone(ruleFile);
      const rule = silenced.groups.flatMap((group) => group.rules)[index]!;
      rule.expr = 'vector(0) > 1';
      const about = ruleTests.tests.filter((group) =>
        (group.alert_rule_test ?? []).some((test) => test.alertname === rule.alert),
      );
      const { status, output } = promtoolTest(silenced, { ...ruleTests, tests: about });
      expect(status).not.toBe(0);
      expect(output).toContain(`alertname: ${rule.alert}`);
    },
  );

  it('each have a test case where the alert fires and one where it must not', () => {
    const cases = ruleTests.tests.flatMap((group) => group.alert_rule_test ?? []);
    const tested = (firing: boolean) =>
      alertNames.filter((name) =>
        cases.some((test) => test.alertname === name && (test.exp_alerts ?? []).length > 0 === firing),
      );
    expect({ firing: tested(true), quiet: tested(false) }).toEqual({ firing: alertNames, quiet: alertNames });
    expect(cases.map((test) => test.alertname).filter((name) => !alertNames.includes(name))).toEqual([]);
  });

  it('each have a severity, a summary, a description and a runbook in README.md', () => {
    const base = /^# Runbook base: (\S+)$/m.exec(rulesSource)?.[1];
    expect(base).toMatch(/\/README\.md$/);
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: rule.labels.severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(page|ticket)$/),
      });
      expect({ alert: rule.alert, ...rule.annotations }).toEqual({
        alert: rule.alert,
        summary: expect.any(String),
        description: expect.any(String),
        runbook_url: `${base}#alert-${kebab(rule.alert)}`,
      });
    }
  });

  it('read only metrics and labels of the catalog', () => {
    const problems = rules.flatMap((rule) => catalogProblems(rule.expr).map((problem) => `${rule.alert}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it('match sync kinds and connection states by their names in the domain', () => {
    const selectors = rules.flatMap((rule) => promqlReferences(rule.expr).selectors);
    const matchers = (metrics: string[], label: string) =>
      selectors
        .filter((selector) => metrics.includes(selector.metric))
        .flatMap((selector) => selector.matchers.filter((matcher) => matcher.label === label));
    const syncKinds = matchers([METRICS.lastSuccess.name, METRICS.lastStart.name, METRICS.syncRuns.name], 'kind');
    const states = matchers([METRICS.connectionState.name], 'state');
    expect(syncKinds.length + states.length).toBeGreaterThan(0);
    expect(syncKinds.filter((matcher) => matching(matcher, SYNC_KINDS).length === 0)).toEqual([]);
    expect(states.filter((matcher) => matching(matcher, CONNECTION_STATES).length === 0)).toEqual([]);
  });

  it('watch every sync kind for missing figures', () => {
    const watched = matchersOf('SmsSyncStalled', METRICS.lastStart.name, 'kind').map((matcher) => matcher.value);
    expect(watched.sort()).toEqual([...SYNC_KINDS].sort());
  });

  // Paging at once is for what stops every sync until a technician acts: the Moodle client's permission
  // problems, except course-inaccessible, which is about one course (DEGRADED, ticket).
  it('page for exactly the Moodle error kinds that are permission problems of the whole site', () => {
    const permission = MOODLE_ERROR_KINDS.filter(
      (kind) => new MoodleError({ kind, wsfunction: 'core_webservice_get_site_info', message: '' }).permissionProblem,
    );
    expect(permission).toContain('course-inaccessible');
    const siteWide = permission.filter((kind) => kind !== 'course-inaccessible').sort();

    const kindMatchers = matchersOf('SmsSyncMoodlePermissionDenied', METRICS.moodleCallErrors.name, 'kind');
    expect(kindMatchers.length).toBeGreaterThan(0);
    for (const matcher of kindMatchers) expect(matching(matcher, MOODLE_ERROR_KINDS).sort()).toEqual(siteWide);

    const codeMatchers = matchersOf('SmsSyncMoodlePermissionDenied', METRICS.openErrors.name, 'code');
    expect(codeMatchers.length).toBeGreaterThan(0);
    for (const matcher of codeMatchers) {
      expect(matching(matcher, MOODLE_ERROR_KINDS.map(moodleErrorCode)).sort()).toEqual(siteWide.map(moodleErrorCode));
    }
  });
});

describe('the unit tests of the alert rules (ops/prometheus/alerts.test.yml)', () => {
  it('give every series a metric of the catalog', () => {
    const series = (parseYaml(read(TESTS)) as { tests: { input_series?: { series: string }[] }[] }).tests
      .flatMap((group) => group.input_series ?? [])
      .map((input) => input.series);
    expect(series.flatMap((selector) => catalogProblems(selector))).toEqual([]);
  });
});
