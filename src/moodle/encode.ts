/**
 * Moodle's REST server reads parameters through PHP's form decoding, so
 * nested values travel in bracket syntax (`options[0][name]=excludecontents`)
 * and JSON bodies are not understood (docs/moodle.md §1.2).
 */

export type MoodleParam = string | number | boolean | readonly MoodleParam[] | { readonly [key: string]: MoodleParam };
export type MoodleParams = Readonly<Record<string, MoodleParam>>;

export function encodeParams(params: MoodleParams): URLSearchParams {
  const form = new URLSearchParams();
  const add = (key: string, value: MoodleParam): void => {
    // PARAM_BOOL rejects "true"/"false" with invalidparameter; 1/0 is accepted everywhere.
    if (typeof value === 'boolean') form.append(key, value ? '1' : '0');
    else if (typeof value === 'string' || typeof value === 'number') form.append(key, String(value));
    else if (isList(value)) value.forEach((item, index) => add(`${key}[${index}]`, item));
    else for (const [name, item] of Object.entries(value)) add(`${key}[${name}]`, item);
  };
  for (const [name, value] of Object.entries(params)) add(name, value);
  return form;
}

// `Array.isArray` does not narrow readonly arrays.
function isList(value: MoodleParam): value is readonly MoodleParam[] {
  return Array.isArray(value);
}
