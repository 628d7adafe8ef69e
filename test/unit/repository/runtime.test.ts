import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One Node.js major is supported, and the tests must run on it: the one the
 * Docker image ships. `.node-version` names it; `scripts/install-node.sh`
 * brings it into .tools/ when the machine has another one.
 */

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

const pinned = read('.node-version').trim();
const pinnedMajor = Number(pinned.split('.')[0]);

function dockerfileNodeMajors(dockerfile: string): number[] {
  return [...dockerfile.matchAll(/^FROM\s+node:(\d+)\S*/gim)].map((match) => Number(match[1]));
}

describe('the Node.js runtime', () => {
  it('pins an exact, current LTS version', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    // Even majors are the LTS lines; 20 left maintenance in April 2026.
    expect(pinnedMajor % 2).toBe(0);
    expect(pinnedMajor).toBeGreaterThanOrEqual(22);
  });

  it('is the major every Docker stage is built from', () => {
    const majors = dockerfileNodeMajors(read('Dockerfile'));
    expect(majors.length).toBeGreaterThanOrEqual(2);
    expect(new Set(majors)).toEqual(new Set([pinnedMajor]));
  });

  it("is the lowest major package.json's engines accepts", () => {
    const { engines } = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(engines.node).toMatch(new RegExp(`^>=${pinnedMajor}\\.\\d+\\.\\d+$`));
  });

  it('runs these tests', () => {
    const running = Number(process.versions.node.split('.')[0]);
    const hint = `tests run on Node ${process.versions.node}, not ${pinnedMajor}: export PATH="$(scripts/install-node.sh):$PATH"`;
    expect({ major: running, hint }).toEqual({ major: pinnedMajor, hint });
  });
});
