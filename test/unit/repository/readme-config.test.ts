import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../../src/config';

// The README's configuration table is what operators read: a setting the code accepts must be in it.
describe("README.md's configuration table", () => {
  const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## Configuration\n'),
    readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 1),
  );
  const documented = new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]));

  it('lists every variable the configuration reads, and no other', () => {
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
