import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookBody } from '../../../src/moodle-sim';

/** One POST as the receiver got it. */
export interface ReceivedPost {
  method: string | undefined;
  contentType: string | undefined;
  body: WebhookBody;
}

/** How the receiver answers a POST: a status, possibly after a while (a slow or hung receiver). */
export type ReceiverAnswer = (post: ReceivedPost) => number | Promise<number>;

/** A stand-in for the SMS API's events route: it keeps what it is sent and answers as told. */
export interface Receiver {
  readonly url: string;
  readonly posts: ReceivedPost[];
  /** The events' names, in the order they arrived. */
  names(): string[];
  /** Resolves once `count` POSTs have arrived; rejects, saying what did, after `timeoutMs`. */
  waitForPosts(count: number, timeoutMs?: number): Promise<void>;
  answerWith(answer: ReceiverAnswer): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const posts: ReceivedPost[] = [];
  let answer: ReceiverAnswer = () => 200;
  const server = createServer((request, response) => {
    void readJson(request).then(async (body) => {
      const post = { method: request.method, contentType: request.headers['content-type'], body };
      posts.push(post);
      const status = await answer(post);
      if (!response.destroyed) response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/moodle`,
    posts,
    names: () => posts.map((post) => post.body.eventname),
    async waitForPosts(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (posts.length < count) {
        if (Date.now() > deadline) throw new Error(`${posts.length} POSTs within ${timeoutMs} ms, not ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    answerWith(next) {
      answer = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readJson(request: IncomingMessage): Promise<WebhookBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody;
}
