/**
 * PHP's request-variable decoding (`$_GET` / `$_POST`), which Moodle's REST
 * server hands to the function's parameter validation as is:
 * `options[0][name]=x` becomes a nested ordered array, `a[]=` appends, later
 * values replace earlier ones, and input beyond `max_input_vars` is dropped
 * silently (docs/moodle.md §1.2).
 */

/** A PHP value from the request: a string, or an ordered array with string keys. */
export type PhpValue = string | PhpArray;
export type PhpArray = Map<string, PhpValue>;

/** PHP's default max_input_vars. */
export const MAX_INPUT_VARS = 1000;

export function parsePhpInput(encoded: string, maxVars = MAX_INPUT_VARS): PhpArray {
  const root: PhpArray = new Map();
  let count = 0;
  for (const [name, value] of new URLSearchParams(encoded)) {
    if (count++ >= maxVars) break;
    const path = splitName(name);
    if (path) assign(root, path, value);
  }
  return root;
}

/** `a[b][]` → ['a', 'b', null]; null stands for "append". PHP ignores a name with an empty base. */
function splitName(name: string): (string | null)[] | undefined {
  const open = name.indexOf('[');
  const base = open === -1 ? name : name.slice(0, open);
  if (base === '') return undefined;
  const path: (string | null)[] = [base];
  if (open === -1) return path;
  const segment = /\[([^\]]*)\]/y;
  segment.lastIndex = open;
  for (let match = segment.exec(name); match; match = segment.exec(name)) {
    path.push(match[1] === '' ? null : (match[1] ?? null));
  }
  return path;
}

function assign(root: PhpArray, path: (string | null)[], value: string): void {
  let target = root;
  path.forEach((segment, index) => {
    const key = segment ?? nextIndex(target);
    if (index === path.length - 1) {
      target.set(key, value);
      return;
    }
    const existing = target.get(key);
    if (existing instanceof Map) {
      target = existing;
    } else {
      const child: PhpArray = new Map();
      target.set(key, child);
      target = child;
    }
  });
}

/** PHP appends after the highest integer key. */
function nextIndex(array: PhpArray): string {
  let next = 0;
  for (const key of array.keys()) {
    if (/^(0|-?[1-9]\d*)$/.test(key)) next = Math.max(next, Number(key) + 1);
  }
  return String(next);
}

/** `array_merge($_GET, $_POST)` for string keys: body values replace query values wholesale. */
export function mergeRequestVariables(query: PhpArray, body: PhpArray): PhpArray {
  return new Map([...query, ...body]);
}
