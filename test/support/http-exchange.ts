import type { Readable } from 'node:stream';
import { request } from 'undici';
import type { GraphQLResponse } from './graphql';

/** An answer as `errorCodes` (./graphql) reads it; `body` is `{}` when the answer is not JSON. */
export interface Exchange extends GraphQLResponse {
  headers: Record<string, string | string[] | undefined>;
  /** From sending the request to the end of the answer. */
  ms: number;
}

export interface ExchangeOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A stream is sent in chunks, without a Content-Length. */
  body?: string | Buffer | Readable;
  /** Fails the request (and the test) when the answer has not fully arrived by then. */
  timeoutMs?: number;
}

/** One HTTP request as a client sends it, bytes and headers exactly as given, with a bound on the wait. */
export async function exchange(url: string, options: ExchangeOptions = {}): Promise<Exchange> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const startedAt = performance.now();
  const response = await request(url, {
    method: options.method ?? 'POST',
    headers: options.headers,
    body: options.body,
    // A connection of its own: a refused upload can leave the one it used in any state.
    reset: true,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await response.body.text();
  const json = String(response.headers['content-type'] ?? '').includes('json');
  return {
    status: response.statusCode,
    headers: response.headers,
    body: json && text !== '' ? (JSON.parse(text) as Exchange['body']) : {},
    text,
    ms: performance.now() - startedAt,
  };
}
