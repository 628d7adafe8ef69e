/**
 * Moodle's `clean_param`, which functions apply to `{name, value}` option
 * values themselves (after validation let any text through). Unlike
 * validate_param it never rejects: it coerces like PHP does.
 */

/** PARAM_BOOL: on/yes/true and off/no/false in any case, else PHP truthiness ("0" and "" are false). */
export function cleanBool(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'on' || lower === 'yes' || lower === 'true') return true;
  if (lower === 'off' || lower === 'no' || lower === 'false') return false;
  return value !== '' && value !== '0';
}

/** PARAM_INT: PHP's (int) cast, which reads a leading number and yields 0 otherwise. */
export function cleanInt(value: string): number {
  const match = /^\s*[+-]?\d+(\.\d*)?([eE][+-]?\d+)?/.exec(value);
  return match ? Math.trunc(Number(match[0])) : 0;
}

/** PARAM_PLUGIN: a valid plugin name, else the empty string. */
export function cleanPluginName(value: string): string {
  return /^[a-z](?:[a-z0-9_](?!__))*[a-z0-9]+$/.test(value) ? value : '';
}
