import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config';

// `docker-compose config` (run by .ci/run) checks the syntax; this keeps the
// service's variables in step with the configuration module.
const compose = readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8');

function serviceEnvironmentKeys(): string[] {
  const block = /environment: &service-environment\n((?: {6}[A-Z_]+:.*\n)+)/.exec(compose);
  if (!block?.[1]) throw new Error('docker-compose.yml has no `environment: &service-environment` block');
  return block[1].split('\n').flatMap((line) => /^ {6}([A-Z_]+):/.exec(line)?.[1] ?? []);
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
});
