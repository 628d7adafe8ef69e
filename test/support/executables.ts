import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * The executable `name` names: itself when it is a path, else the first of that name on PATH;
 * undefined when there is none.
 */
export function findExecutable(name: string): string | undefined {
  const candidates = name.includes(path.sep)
    ? [path.resolve(name)]
    : (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, name));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
