import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The hand-written Moodle responses in `test/fixtures/moodle` (see its README.md). */
export const EXAMPLES_DIR = path.resolve(__dirname, '../../../fixtures/moodle');

function requireExamplesDir(): string {
  if (!existsSync(EXAMPLES_DIR)) {
    throw new Error(`Moodle example responses not found at ${EXAMPLES_DIR}; they belong in test/fixtures/moodle`);
  }
  return EXAMPLES_DIR;
}

export function exampleFiles(): string[] {
  return readdirSync(requireExamplesDir())
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function exampleText(name: string): string {
  return readFileSync(path.join(requireExamplesDir(), name), 'utf8');
}

export function exampleJson(name: string): unknown {
  return JSON.parse(exampleText(name));
}
