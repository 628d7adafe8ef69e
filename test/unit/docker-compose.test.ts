import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TypedSearchAttributes } from '@temporalio/common';
import { CONFIG_VARIABLES } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

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
