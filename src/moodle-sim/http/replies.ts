import type { ServerResponse } from 'node:http';
import type { CourseFault } from './faults';
import { MOODLE_ERROR_PAGE, redirectPage } from './html-pages';

/**
 * What the simulator sends back: a reply whose body is known at once, or one written over time
 * (`stream`, no Content-Length), as a trickling or endless answer is.
 */
export interface HttpReply {
  status: number;
  /** The reason phrase, when it is not the standard one. */
  statusText?: string;
  contentType: string;
  headers?: Record<string, string>;
  body: string;
  /** Writes the body instead of `body`; must end the response, or stop once it is closed. */
  stream?: (response: ServerResponse) => Promise<void>;
}

const HTML_TYPE = 'text/html; charset=utf-8';
/** Moodle's login page, where auth plugins and require_login send whoever is not logged in. */
const LOGIN_PATH = '/login/index.php';
/** A trickling answer sends one byte this often. */
export const TRICKLE_INTERVAL_MS = 1_000;
const PADDING_CHUNK = Buffer.alloc(64 * 1024, ' ');

/** The reply a call meets instead of `real`, its right answer, when its course has `fault`. */
export function courseFaultReply(fault: CourseFault, real: HttpReply, siteUrl: string): HttpReply {
  switch (fault.answer) {
    case 'html-page':
      return { status: 200, contentType: HTML_TYPE, body: MOODLE_ERROR_PAGE };
    case 'truncated-json':
      return { ...real, body: real.body.slice(0, Math.floor(real.body.length / 2)) };
    case 'redirect': {
      const location = `${siteUrl}${LOGIN_PATH}`;
      return { status: 302, contentType: HTML_TYPE, headers: { location }, body: redirectPage(location) };
    }
    case 'trickle':
      return { ...real, stream: (response) => trickle(response, Buffer.from(real.body)) };
    case 'oversized':
      return { ...real, stream: (response) => pad(response, Buffer.from(real.body), fault.bytes) };
  }
}

/** One byte every TRICKLE_INTERVAL_MS, until the body is sent or the client goes away. */
function trickle(response: ServerResponse, body: Buffer): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < body.length) {
        response.write(body.subarray(sent, sent + 1));
        sent += 1;
        return;
      }
      clearInterval(timer);
      response.end(resolve);
    }, TRICKLE_INTERVAL_MS);
    response.once('close', () => {
      clearInterval(timer);
      resolve();
    });
  });
}

/** `body`, then spaces up to `bytes` in all, as fast as the client reads them. */
async function pad(response: ServerResponse, body: Buffer, bytes: number): Promise<void> {
  let sent = body.length;
  let open = response.write(body) || (await drained(response));
  while (open && sent < bytes) {
    const chunk = PADDING_CHUNK.subarray(0, Math.min(PADDING_CHUNK.length, bytes - sent));
    sent += chunk.length;
    open = response.write(chunk) || (await drained(response));
  }
  if (open) response.end();
}

/** Resolves true once the response can take more, false if it was closed meanwhile. */
function drained(response: ServerResponse): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (open: boolean) => () => {
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(open);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    response.once('drain', onDrain);
    response.once('close', onClose);
  });
}
