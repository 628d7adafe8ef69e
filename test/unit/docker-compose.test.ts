import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TypedSearchAttributes } from '@temporalio/common';
import { CONFIG_VARIABLES } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { parse as parseYaml } from 'yaml';

// `docker-compose config` (run by .ci/run) checks the syntax; this keeps the
// service's variables in step with the configuration module, and the search
// attributes the stack registers in step with the workflows.
const compose = readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8');

function serviceEnvironmentKeys(): string[] {
  const block = /environment: &service-environment\n((?: {6}[A-Z_]+:.*\n)+)/.exec(compose);
  if (!block?.[1]) throw new Error('docker-compose.yml has no `environment: &service-environment` block');
  return block[1].split('\n').flatMap((line) => /^ {6}([A-Z_]+):/.exec(line)?.[1] ?? []);
}

/** A top-level service's lines, up to the next service. */
function serviceBlock(name: string): string {
  const block = new RegExp(`\\n  ${name}:\\n((?: {4}.*\\n|\\n)+?)(?=  \\S|\\S)`).exec(compose);
  if (!block?.[1]) throw new Error(`docker-compose.yml has no service ${name}`);
  return block[1];
}

/** The quoted words of a service's `command:` list, in order. */
function commandOf(service: string): string[] {
  const list = /\n {4}command:\n? *\[([^\]]*)\]/.exec(serviceBlock(service));
  return [...(list?.[1] ?? '').matchAll(/'([^']*)'/g)].map((word) => word[1]!);
}

/** A service's `key: value` setting (environment, or any other one-line entry), unquoted. */
function settingOf(service: string, key: string): string | undefined {
  const value = new RegExp(`\\n {4,6}${key}: (.*)\\n`).exec(`\n${serviceBlock(service)}`)?.[1];
  return value?.replace(/^'(.*)'$/, '$1');
}

/** The entries of a service's block list (`volumes:`, `ports:`), unquoted. */
function listOf(service: string, key: string): string[] {
  const list = new RegExp(`\\n {4}${key}:\\n((?: {6}- .*\\n)+)`).exec(`\n${serviceBlock(service)}`)?.[1] ?? '';
  return [...list.matchAll(/^ {6}- '?([^'\n]*)'?$/gm)].map((entry) => entry[1]!);
}

/** The value after `flag` in a command. */
function flag(command: string[], name: string): string | undefined {
  const index = command.indexOf(name);
  return index < 0 ? undefined : command[index + 1];
}

describe('docker-compose.yml', () => {
  it('passes only variables the configuration module knows', () => {
    const unknown = serviceEnvironmentKeys().filter((key) => !(CONFIG_VARIABLES as string[]).includes(key));
    expect(unknown).toEqual([]);
  });

  it('points the service at the stack’s own MongoDB and Temporal and forwards the Moodle settings', () => {
    expect(serviceEnvironmentKeys()).toEqual(
      expect.arrayContaining(['MONGODB_URI', 'TEMPORAL_ADDRESS', 'MOODLE_URL', 'MOODLE_TOKEN']),
    );
  });

  it('registers every search attribute the workflows set before the worker starts', () => {
    const register = commandOf('temporal-search-attributes');
    expect(register.slice(0, 3)).toEqual(['operator', 'search-attribute', 'create']);
    expect(flag(register, '--address')).toBe('temporal:7233');
    expect(flag(register, '--namespace')).toBe('${TEMPORAL_NAMESPACE:-default}');
    const registered = SEARCH_ATTRIBUTES.map((key) => [key.name, TypedSearchAttributes.toMetadataType(key.type)]);
    expect([[flag(register, '--name'), flag(register, '--type')]]).toEqual(registered);
    expect(serviceBlock('temporal-search-attributes')).toMatch(/entrypoint: \['temporal'\]/);
    expect(serviceBlock('worker')).toMatch(
      /depends_on:\n {6}temporal-search-attributes:\n {8}condition: service_completed_successfully\n/,
    );
  });
});

// `docker compose --profile observability up`: Prometheus and Grafana over the files of ops/, which
// test/unit/ops/ checks on their own; here, that the stack wires them to each other.
describe('the observability profile of docker-compose.yml', () => {
  const readOps = (file: string) =>
    parseYaml(readFileSync(path.join(__dirname, '../../ops', file), 'utf8')) as Record<string, unknown>;
  const prometheusConfig = readOps('prometheus/prometheus.yml') as {
    rule_files: string[];
    scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; type: string; port: number }[] }[];
  };

  it('adds Prometheus and Grafana, and nothing else, under the profile', () => {
    const profiled = [...compose.matchAll(/\n {2}([\w-]+):\n(?: {4}.*\n|\n)*? {4}profiles: \[(.*)\]\n/g)];
    expect(profiled.map((match) => [match[1], match[2]])).toEqual([
      ['prometheus', 'observability'],
      ['grafana', 'observability'],
    ]);
  });

  it('serves the metrics of every worker and of the API where Prometheus scrapes them', () => {
    expect(serviceEnvironmentKeys()).toEqual(
      expect.arrayContaining(['METRICS_HOST', 'WORKER_METRICS_PORT', 'API_METRICS_PORT']),
    );
    const env = (key: string) => new RegExp(`\\n {6}${key}: (.*)\\n`).exec(compose)?.[1];
    expect(env('METRICS_HOST')).toBe('0.0.0.0');
    const scraped = prometheusConfig.scrape_configs.map((job) => job.dns_sd_configs);
    expect(scraped).toEqual([
      [{ names: ['worker'], type: 'A', port: Number(env('WORKER_METRICS_PORT')) }],
      [{ names: ['api'], type: 'A', port: Number(env('API_METRICS_PORT')) }],
    ]);
    // The API's own port serves GraphQL; the metrics listener must be another one.
    expect(env('API_METRICS_PORT')).not.toBe(settingOf('api', 'API_PORT'));
  });

  it('mounts the configuration and the alert rules where prometheus.yml loads them from', () => {
    const volumes = listOf('prometheus', 'volumes');
    expect(volumes).toEqual(
      expect.arrayContaining([
        './ops/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        ...prometheusConfig.rule_files.map((file) => `./ops/prometheus/${file}:/etc/prometheus/${file}:ro`),
      ]),
    );
    expect(settingOf('prometheus', 'image')).toMatch(/^prom\/prometheus:v\d/);
  });

  it('gives Grafana the stack’s Prometheus and the dashboards where its provisioning looks', () => {
    const datasources = readOps('grafana/provisioning/datasources/prometheus.yml') as {
      datasources: { url: string }[];
    };
    const providers = readOps('grafana/provisioning/dashboards/sms-sync.yml') as {
      providers: { options: { path: string } }[];
    };
    expect(datasources.datasources.map((source) => source.url)).toEqual(['http://prometheus:9090']);
    expect(listOf('grafana', 'volumes')).toEqual(
      expect.arrayContaining([
        './ops/grafana/provisioning:/etc/grafana/provisioning:ro',
        ...providers.providers.map((provider) => `./ops/grafana/dashboards:${provider.options.path}:ro`),
      ]),
    );
  });

  it('publishes Prometheus and Grafana on the loopback interface only, Grafana read-only without a login', () => {
    expect(listOf('prometheus', 'ports')).toEqual(['127.0.0.1:9090:9090']);
    expect(listOf('grafana', 'ports')).toEqual(['127.0.0.1:3000:3000']);
    expect(settingOf('grafana', 'GF_AUTH_ANONYMOUS_ORG_ROLE')).toBe('Viewer');
    expect(settingOf('grafana', 'GF_SECURITY_ADMIN_PASSWORD')).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD/);
  });
});
