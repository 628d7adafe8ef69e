import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository must stand on its own: someone who clones only it has no
 * notes folder beside it. Code, tests, scripts, benchmarks and the README
 * cite docs/ and read test/fixtures/ instead.
 */

const ROOT = path.resolve(__dirname, '../../..');
const SOURCE_DIRS = ['src', 'test', 'scripts', 'bench', 'workflows', 'activities', 'bin'];
const SOURCE_EXTENSIONS = new Set(['.ts', '.js', '.mjs']);
/** Generated or installed, never written by hand (and git-ignored). */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage']);

// Assembled from parts so that this file does not match itself.
const SHARED = 'shared';
const FORBIDDEN = [`../${SHARED}`, `/work/${SHARED}`, `${SHARED}/notes`, `${SHARED}/moodle`, `${SHARED}/SPEC`];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() && SOURCE_EXTENSIONS.has(path.extname(entry.name)) ? [full] : [];
  });
}

function checkedFiles(): string[] {
  return [...SOURCE_DIRS.flatMap((dir) => filesUnder(path.join(ROOT, dir))), path.join(ROOT, 'README.md')];
}

/** `file:line: text` for every line that names a path outside the repository. */
function outsideReferences(file: string, text: string): string[] {
  return text
    .split('\n')
    .flatMap((line, index) =>
      FORBIDDEN.some((needle) => line.includes(needle)) ? [`${file}:${index + 1}: ${line.trim()}`] : [],
    );
}

describe('the repository is self-contained', () => {
  it('checks the sources, tests, scripts, benchmarks and README', () => {
    const files = checkedFiles().map((file) => path.relative(ROOT, file));
    expect(files).toContain('README.md');
    expect(files).toContain(path.join('test', 'unit', 'repository', 'self-contained.test.ts'));
    for (const dir of ['src', 'workflows', 'activities', 'scripts', 'bench']) {
      expect(files.some((file) => file.startsWith(`${dir}${path.sep}`))).toBe(true);
    }
  });

  it('finds a reference and names its file and line', () => {
    const text = [
      '// fine',
      `// see ../${SHARED}/notes/temporal.md §1.4`,
      `const dir = '${SHARED}/moodle/examples';`,
    ].join('\n');
    expect(outsideReferences('src/example.ts', text)).toEqual([
      `src/example.ts:2: // see ../${SHARED}/notes/temporal.md §1.4`,
      `src/example.ts:3: const dir = '${SHARED}/moodle/examples';`,
    ]);
    expect(outsideReferences('src/example.ts', '// docs/temporal.md §1.4, test/fixtures/moodle')).toEqual([]);
  });

  it('no file refers to a path outside the repository (cite docs/, read test/fixtures/)', () => {
    const offending = checkedFiles().flatMap((file) =>
      outsideReferences(path.relative(ROOT, file), readFileSync(file, 'utf8')),
    );
    expect(offending).toEqual([]);
  });
});
