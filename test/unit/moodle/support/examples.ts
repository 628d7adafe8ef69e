import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The shared, hand-written Moodle responses (`shared/moodle/examples`, next to the repository). */
export const EXAMPLES_DIR = path.resolve(__dirname, '../../../../../shared/moodle/examples');

function requireExamplesDir(): string {
  if (!existsSync(EXAMPLES_DIR)) {
    throw new Error(
      `Moodle example responses not found at ${EXAMPLES_DIR}; the tests expect the shared/moodle folder next to the repository`,
    );
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
