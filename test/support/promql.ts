/**
 * Just enough of PromQL's lexical structure to list what an expression reads: the metric names it
 * selects, the labels it matches on and the labels it groups or joins by. There is no PromQL parser
 * for Node.js; promtool parses the real thing (the alert rules, and the dashboard's queries handed
 * to it as recording rules). This only has to tell a metric name from a function, a keyword, a label
 * or a duration, and it refuses what it could misread (a selector without a metric name).
 */

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

export interface PromqlReferences {
  selectors: Selector[];
  /** Labels named by `by`, `without`, `on`, `ignoring`, `group_left` and `group_right`. */
  groupingLabels: string[];
}

export class PromqlError extends Error {
  override readonly name = 'PromqlError';
}

type Token =
  | { kind: 'identifier'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'variable'; text: string }
  | { kind: 'punctuation'; text: string }
  | { kind: 'operator'; text: string };

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const patterns: [Token['kind'] | 'space' | 'comment', RegExp][] = [
    ['space', /^\s+/],
    ['comment', /^#[^\n]*/],
    ['string', /^(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/],
    // Grafana's template variables ($__rate_interval, ${window}) stand for durations or label values.
    ['variable', /^\$(?:\{\w+\}|\w+)/],
    // Numbers and durations (5m, 1h30m, 0x1f, 1e3): no metric name starts with a digit.
    ['number', /^(?:\d|\.\d)[\w.]*(?:[eE][-+]?\d+)?/],
    ['identifier', /^[a-zA-Z_:][\w:]*/],
    ['punctuation', /^[(){}[\],@]/],
    ['operator', /^(?:=~|!~|!=|==|<=|>=|[-+*/%^<>=])/],
  ];
  let rest = expr;
  while (rest !== '') {
    const found = patterns.map(([kind, pattern]) => [kind, pattern.exec(rest)?.[0]] as const).find(([, text]) => text);
    if (found === undefined) throw new PromqlError(`cannot read \`${rest.slice(0, 20)}\` in ${expr}`);
    const [kind, text] = found as [Token['kind'] | 'space' | 'comment', string];
    if (kind !== 'space' && kind !== 'comment') tokens.push({ kind, text });
    rest = rest.slice(text.length);
  }
  return tokens;
}

/** Parentheses, brackets and braces close in order. */
export function checkBalanced(expr: string): void {
  const open: string[] = [];
  for (const token of tokenize(expr)) {
    if (token.kind !== 'punctuation') continue;
    if (CLOSING[token.text] !== undefined) open.push(CLOSING[token.text]!);
    else if (token.text === ')' || token.text === ']' || token.text === '}') {
      if (open.pop() !== token.text) throw new PromqlError(`unbalanced \`${token.text}\` in ${expr}`);
    }
  }
  if (open.length > 0) throw new PromqlError(`\`${open.join('')}\` missing in ${expr}`);
}

function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  if (text.startsWith("'")) return JSON.parse(`"${text.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
  return JSON.parse(text) as string;
}

export function promqlReferences(expr: string): PromqlReferences {
  checkBalanced(expr);
  const tokens = tokenize(expr);
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  let index = 0;
  const next = () => tokens[index++];

  /** The `label op "value"` list after a `{`, up to its `}`. */
  const matchers = (): Matcher[] => {
    const list: Matcher[] = [];
    for (let token = next(); token !== undefined && token.text !== '}'; token = next()) {
      if (token.text === ',') continue;
      const op = next();
      const value = next();
      if (token.kind !== 'identifier' || op?.kind !== 'operator' || value?.kind !== 'string') {
        throw new PromqlError(`cannot read the label matchers in ${expr}`);
      }
      list.push({ label: token.text, op: op.text as Matcher['op'], value: unquote(value.text) });
    }
    return list;
  };

  while (index < tokens.length) {
    const token = next()!;
    const following = tokens[index];
    if (token.text === '{') {
      throw new PromqlError(`a selector without a metric name (\`{…}\`) in ${expr}: name the metric`);
    }
    if (token.text === '[') {
      // A range or subquery: durations and variables only.
      while (index < tokens.length && next()!.text !== ']');
      continue;
    }
    if (token.kind !== 'identifier') continue;
    if (LABEL_LIST_KEYWORDS.has(token.text)) {
      if (following?.text !== '(') continue; // group_left without labels
      index += 1;
      for (let label = next(); label !== undefined && label.text !== ')'; label = next()) {
        if (label.kind === 'identifier') groupingLabels.push(label.text);
      }
      continue;
    }
    if (KEYWORDS.has(token.text.toLowerCase())) continue;
    // A name followed by `(` is a function or an aggregation, and so is one followed by `by (…)`.
    if (following?.text === '(' || following?.text === 'by' || following?.text === 'without') continue;
    if (following?.text === '{') {
      index += 1;
      selectors.push({ metric: token.text, matchers: matchers() });
    } else {
      selectors.push({ metric: token.text, matchers: [] });
    }
  }
  return { selectors, groupingLabels };
}
