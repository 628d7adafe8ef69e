import type { MoodleWsError } from './errors';

/**
 * The REST server's XML answer (no `moodlewsrestformat=json`), as
 * webservice/rest/locallib.php writes it: arrays become MULTIPLE, objects
 * SINGLE with KEY elements, scalars VALUE.
 */

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" ?>\n';

export function xmlResponse(value: unknown): string {
  return `${XML_DECLARATION}<RESPONSE>\n${xmlize(value)}</RESPONSE>\n`;
}

export function xmlError(error: MoodleWsError, withDebugInfo: boolean): string {
  const debug =
    withDebugInfo && error.debuginfo !== undefined ? `<DEBUGINFO>${escape(error.debuginfo)}</DEBUGINFO>\n` : '';
  return (
    `${XML_DECLARATION}<EXCEPTION class="${escape(error.exception)}">\n` +
    `<ERRORCODE>${escape(error.errorcode)}</ERRORCODE>\n` +
    `<MESSAGE>${escape(error.message)}</MESSAGE>\n${debug}</EXCEPTION>\n`
  );
}

function xmlize(value: unknown): string {
  if (value === null || value === undefined) return '<VALUE null="null"/>\n';
  if (Array.isArray(value)) return `<MULTIPLE>\n${value.map(xmlize).join('')}</MULTIPLE>\n`;
  if (typeof value === 'object') {
    const keys = Object.entries(value).map(([key, item]) => `<KEY name="${escape(key)}">${xmlize(item)}</KEY>\n`);
    return `<SINGLE>\n${keys.join('')}</SINGLE>\n`;
  }
  if (typeof value === 'boolean') return `<VALUE>${value ? 1 : 0}</VALUE>\n`;
  return `<VALUE>${escape(String(value))}</VALUE>\n`;
}

/** htmlspecialchars with ENT_COMPAT. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
