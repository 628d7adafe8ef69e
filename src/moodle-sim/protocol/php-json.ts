/**
 * PHP's json_encode with default flags, as Moodle's REST server uses it:
 * `/` escaped as `\/`, non-ASCII as lowercase `\uXXXX`, floats printed the
 * way PHP prints them (78.0, and with serialize_precision 17 artefacts such as
 * 0.33333000000000002). JavaScript numbers carry no int/float distinction, so
 * callers name the keys whose values PHP holds as floats.
 */

export interface PhpJsonOptions {
  serializePrecision: 17 | -1;
  /** Object keys whose numbers are PHP floats even when integral. */
  floatKeys?: ReadonlySet<string>;
}

// eslint-disable-next-line no-control-regex -- PHP escapes control characters
const ESCAPED = /["\\/\u0000-\u001f\u0080-\uffff]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

export function phpJsonEncode(value: unknown, options: PhpJsonOptions): string {
  const parts: string[] = [];
  encode(value, false, parts, options);
  return parts.join('');
}

function encode(value: unknown, isFloat: boolean, parts: string[], options: PhpJsonOptions): void {
  if (value === null || value === undefined) {
    parts.push('null');
  } else if (typeof value === 'string') {
    parts.push(encodeString(value));
  } else if (typeof value === 'number') {
    parts.push(isFloat || !Number.isInteger(value) ? phpFloat(value, options.serializePrecision) : String(value));
  } else if (typeof value === 'boolean') {
    parts.push(value ? 'true' : 'false');
  } else if (Array.isArray(value)) {
    parts.push('[');
    value.forEach((item, index) => {
      if (index > 0) parts.push(',');
      encode(item, false, parts, options);
    });
    parts.push(']');
  } else if (typeof value === 'object') {
    parts.push('{');
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      parts.push(first ? '' : ',', encodeString(key), ':');
      first = false;
      encode(item, options.floatKeys?.has(key) ?? false, parts, options);
    }
    parts.push('}');
  } else {
    throw new TypeError(`cannot encode a ${typeof value} as JSON`);
  }
}

const unicodeEscape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

function encodeString(text: string): string {
  ESCAPED.lastIndex = 0;
  if (!ESCAPED.test(text)) return `"${text}"`;
  return `"${text.replace(ESCAPED, (char) => SHORT_ESCAPES[char] ?? unicodeEscape(char))}"`;
}

/** PHP ≥ 7.1 prints integral floats with ".0"; precision 17 prints 17 significant digits, trailing zeros trimmed. */
function phpFloat(value: number, precision: 17 | -1): string {
  if (!Number.isFinite(value)) throw new TypeError('json_encode cannot encode INF or NAN');
  let text = String(value);
  if (precision === 17 && Math.abs(value) >= 1e-4 && Math.abs(value) < 1e15) {
    text = value.toPrecision(17);
    if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  }
  return /[.eE]/.test(text) ? text : `${text}.0`;
}
