import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exampleText } from './examples';

/**
 * A scriptable stand-in for a Moodle site: records every request and answers
 * with whatever the test's responder says, including delays and connections
 * dropped before or in the middle of the answer.
 */

export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  contentType: string | undefined;
  /** The raw form body. */
  rawBody: string;
  /** The form body decoded into key → value, keys in PHP bracket syntax. */
  form: Record<string, string>;
  wsfunction: string | null;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the socket instead of answering, or after sending half the body. */
  drop?: 'before-headers' | 'mid-body';
  /**
   * After `body`, send `chunk` `count` times (no Content-Length): every `everyMs`, or as fast as the
   * client reads when it is absent. Stops when the client goes away.
   */
  stream?: { chunk: string; count: number; everyMs?: number };
}

export type Responder = (request: RecordedRequest) => Reply;

export interface FakeMoodleServer {
  /** Site URL with a path, as Moodle wwwroots may have. */
  url: string;
  requests: RecordedRequest[];
  /** Highest number of requests the server was handling at the same time. */
  maxInFlight(): number;
  /** Body bytes the streamed replies handed to their sockets so far, the client's unread ones included. */
  streamedBytes(): number;
  respond(responder: Responder): void;
  close(): Promise<void>;
}

export const SITE_PATH = '/moodle';

export function exampleReply(name: string, extra: Reply = {}): Reply {
  return { headers: { 'content-type': 'application/json; charset=utf-8' }, body: exampleText(name), ...extra };
}

export function jsonReply(json: unknown): Reply {
  return { headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(json) };
}

export async function startFakeMoodleServer(): Promise<FakeMoodleServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let responder: Responder = () => ({ status: 500, body: 'no responder set' });
  let inFlight = 0;
  let maxInFlight = 0;
  let streamedBytes = 0;

  async function stream(res: http.ServerResponse, { chunk, count, everyMs }: NonNullable<Reply['stream']>) {
    const bytes = Buffer.from(chunk);
    for (let sent = 0; sent < count && !res.destroyed; sent += 1) {
      if (everyMs !== undefined) await new Promise((resolve) => setTimeout(resolve, everyMs));
      if (res.destroyed) return;
      streamedBytes += bytes.length;
      if (!res.write(bytes)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (!res.destroyed) res.end();
  }

  const server = http.createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let finished = false;
    const finish = () => {
      if (!finished) inFlight -= 1;
      finished = true;
    };
    res.on('close', finish);

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '';
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url,
        contentType: req.headers['content-type'],
        rawBody,
        form: Object.fromEntries(new URLSearchParams(rawBody)),
        wsfunction: new URL(url, 'http://placeholder').searchParams.get('wsfunction'),
      };
      requests.push(recorded);
      const reply = responder(recorded);
      const send = () => {
        timers.delete(timer);
        if (reply.drop === 'before-headers') {
          req.socket.destroy();
          return;
        }
        const body = reply.body ?? '';
        if (reply.drop === 'mid-body') {
          res.writeHead(reply.status ?? 200, { ...reply.headers, 'content-length': String(Buffer.byteLength(body)) });
          res.write(body.slice(0, Math.floor(body.length / 2)), () => req.socket.destroy());
          return;
        }
        res.writeHead(reply.status ?? 200, reply.headers);
        if (reply.stream === undefined) {
          res.end(body);
          return;
        }
        res.write(body);
        void stream(res, reply.stream);
      };
      const timer = setTimeout(send, reply.delayMs ?? 0);
      timers.add(timer);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${SITE_PATH}`,
    requests,
    maxInFlight: () => maxInFlight,
    streamedBytes: () => streamedBytes,
    respond(next) {
      responder = next;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A URL on which nothing listens: bind a port, then free it. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${SITE_PATH}`;
}
