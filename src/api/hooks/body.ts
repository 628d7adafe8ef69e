import { isUtf8 } from 'node:buffer';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

export class BodyNotUtf8Error extends Error {
  override readonly name = 'BodyNotUtf8Error';
}

/**
 * The request's body as UTF-8 text, refused as soon as it passes `maxBytes`: a flood of large bodies
 * costs this server no more than `maxBytes` each, whatever Content-Length claims.
 */
export async function readBodyWithin(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new BodyTooLargeError();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new BodyTooLargeError();
      chunks.push(chunk);
    }
  }
  const body = Buffer.concat(chunks);
  if (!isUtf8(body)) throw new BodyNotUtf8Error();
  return body.toString('utf8');
}
