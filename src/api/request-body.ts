import { isUtf8 } from 'node:buffer';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * The largest request body the API reads. The front end's heaviest query is a few kilobytes and GraphQL
 * Armor refuses more than 2,000 tokens anyway; anything near this is an attack or a bug, refused (413
 * REQUEST_ENTITY_TOO_LARGE, by Yoga's `maxRequestBodySize`) before more of it is read.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** `application/json`, in UTF-8 if a charset is named (RFC 8259 allows no other). */
export const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

function refusal(status: number, code: string, message: string) {
  return createGraphQLError(message, { extensions: { code, http: { status } } });
}

/** Reads the body once to check it is UTF-8, and hands the parser the same bytes. */
async function utf8Body(request: Request, RequestClass: typeof Request): Promise<Request> {
  const body = new Uint8Array(await request.arrayBuffer());
  if (!isUtf8(body)) throw refusal(400, 'BAD_REQUEST', 'The request body is not valid UTF-8.');
  return new RequestClass(request.url, { method: request.method, headers: request.headers, body });
}

/**
 * POST bodies are JSON in UTF-8, nothing else. Yoga also reads forms, multipart uploads and bare query
 * text, which this API has no use for and which a browser can send cross-site without a preflight; and
 * its JSON parser turns invalid UTF-8 into U+FFFD instead of refusing it. Refusals are typed like every
 * other error: 415 UNSUPPORTED_MEDIA_TYPE, 400 BAD_REQUEST. Batches (a JSON array) are refused by Yoga,
 * with batching off (400 BAD_REQUEST).
 */
export const jsonBodiesOnly: Plugin = {
  onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
    if (request.method !== 'POST') return;
    if (!JSON_CONTENT_TYPE.test(request.headers.get('content-type') ?? '')) {
      throw refusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'GraphQL requests are sent as application/json (UTF-8).');
    }
    if (requestParser === undefined) return;
    setRequestParser(async (parsed) => requestParser(await utf8Body(parsed, fetchAPI.Request)));
  },
};
