import { decode } from 'html-entities';

/**
 * Moodle's formatted grade strings and feedback are HTML fragments (a pass icon before the grade, `&ndash;` in a
 * range, feedback paragraphs), but the SMS stores and serves plain text. This is not an HTML parser: it handles
 * the fragments Moodle's renderers and editors produce. Tags are removed before entities are decoded, so escaped
 * markup such as `&lt;b&gt;` ends up as the literal text `<b>` instead of being taken for a tag.
 */

/** Attribute text up to the tag's end; a quoted value may contain `>`. `<` ends it so "a<b<c…" stays linear. */
const TAG_BODY = String.raw`(?:"[^"]*"|'[^']*'|[^'"<>])*`;

/** Their content is code, not text; an unclosed one runs to the end, as in a browser. */
const SCRIPT_OR_STYLE = new RegExp(String.raw`<(script|style)\b${TAG_BODY}>[\s\S]*?(?:<\/\1\s*>|$)`, 'gi');
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
/** Doctype, CDATA and processing instructions. */
const DECLARATION = /<[!?][^>]*>/g;
/** `<` must be followed by a letter, so "a < b" and "<3" remain text. */
const TAG = new RegExp(String.raw`<\/?([a-zA-Z][a-zA-Z0-9]*)${TAG_BODY}>`, 'g');

/** Tags that separate words on screen: "<p>a</p><p>b</p>" reads "a b", while "<b>W</b>ord" reads "Word". */
const BREAKING_TAGS = new Set(
  (
    'address article aside blockquote br caption dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr ' +
    'li ol p pre section table tbody td tfoot th thead tr ul'
  ).split(' '),
);

/** The text a reader sees in `html`: markup removed, entities decoded, whitespace (nbsp included) collapsed. */
export function plainText(html: string): string {
  const withoutTags = html
    .replace(SCRIPT_OR_STYLE, ' ')
    .replace(COMMENT, '')
    .replace(DECLARATION, '')
    .replace(TAG, (_tag, name: string) => (BREAKING_TAGS.has(name.toLowerCase()) ? ' ' : ''));
  // One pass, so "&amp;lt;" decodes to "&lt;" and never on to "<"; html5 knows every name a language pack may use.
  // toWellFormed: a reference to a lone surrogate shows as U+FFFD, as in a browser, and stores as valid UTF-8.
  return decode(withoutTags, { level: 'html5' }).toWellFormed().replace(/\s+/g, ' ').trim();
}

/** For Moodle's optional fields: absent stays null, so "not shown by the report" is still told from "empty". */
export function plainTextOrNull(html: string | undefined): string | null {
  return html === undefined ? null : plainText(html);
}
