import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatorEvents, type WebhookTarget } from '../events/simulator-events';
import { mergeRequestVariables, parsePhpInput, type PhpArray } from '../protocol/php-params';
import { runRestCall, wsFunctionName, type RestReply } from '../protocol/rest-server';
import type { SiteModel } from '../site';
import { CallCounter } from './call-counter';
import { answerControl, controlRoute } from './control';
import { FaultController, type FaultSettings } from './faults';
import { cliMaintenancePage, MOODLE_ERROR_PAGE, PHP_WARNING_PREFIX, proxyErrorPage } from './html-pages';
import { courseFaultReply, type HttpReply } from './replies';

export const REST_ENDPOINT = '/webservice/rest/server.php';

/** Starts a wait of `ms` that calls `done` at its end; returns what cancels it. */
export type ScheduleWait = (done: () => void, ms: number) => () => void;

const timerWait: ScheduleWait = (done, ms) => {
  const timer = setTimeout(done, ms);
  return () => clearTimeout(timer);
};

export interface MoodleSimulatorOptions {
  site: SiteModel;
  /** The only valid wstoken (revocable through site.revokeToken()). */
  token: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  faults?: Partial<FaultSettings>;
  /** Where the site POSTs its Moodle events (as local_webhooks does); none: no events until `events.configure`. */
  events?: WebhookTarget;
  /** How the latency faults wait; tests pass their own to see each wait and end it themselves. Default: a timer. */
  scheduleWait?: ScheduleWait;
}

/** A web-service call as the simulator received it, before anything answers it. */
export interface SimulatedCall {
  wsfunction: string;
  /** The call's `courseid` parameter, if it has one. */
  courseId?: number;
}

/** Told of each web-service call before the site answers it, so that it can change the site for that very call. */
export type CallListener = (call: SimulatedCall) => void;

export interface MoodleSimulator {
  /** Site base URL (Moodle's wwwroot); clients POST to `${url}/webservice/rest/server.php`. */
  readonly url: string;
  readonly site: SiteModel;
  readonly faults: FaultController;
  readonly calls: CallCounter;
  /** The site's Moodle events: where they go, on or off, what became of them. */
  readonly events: SimulatorEvents;
  /** Adds a listener of every web-service call; returns what removes it. */
  onCall(listener: CallListener): () => void;
  /**
   * Moodle's host goes away: the port is closed (connections are refused) and every open socket with
   * it. `listenAgain()` brings it back at the same URL.
   */
  stopListening(): Promise<void>;
  /** Listens again on the port of the first start; rejects if something else took it meanwhile. */
  listenAgain(): Promise<void>;
  /** Closes the server and every open socket (keep-alive and held ones) at once; events still queued are dropped. */
  close(): Promise<void>;
}

/** PHP's post_max_size is in this order; anything larger is refused before PHP sees it. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const HTML_TYPE = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json';
const SERVER_ERROR_STATUSES = [500, 502, 503] as const;
/** What lib/setup.php sends in CLI maintenance mode. */
const CLI_MAINTENANCE_STATUS = { status: 503, statusText: 'Moodle under maintenance', retryAfterSeconds: 300 };

export async function startMoodleSimulator(options: MoodleSimulatorOptions): Promise<MoodleSimulator> {
  const { site, token } = options;
  const faults = new FaultController(options.faults);
  const calls = new CallCounter();
  const scheduleWait = options.scheduleWait ?? timerWait;
  const pendingWaits = new Set<() => void>();
  const listeners = new Set<CallListener>();
  let siteUrl = '';
  // Read at each event (local_webhooks names the host of wwwroot): the URL is known once the server listens.
  const events = new SimulatorEvents(site, { host: () => new URL(siteUrl).hostname, target: options.events });

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      // A simulator bug, shown the way PHP shows a fatal error.
      if (!response.headersSent) send(response, { status: 500, contentType: HTML_TYPE, body: String(error) });
    });
  });

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const body = await readBody(request);
    const route = controlRoute(url.pathname);
    if (route) {
      const { method, headers } = request;
      const reply = answerControl({ site, events }, token, route, {
        method,
        authorization: headers.authorization,
        body,
      });
      send(response, { status: reply.status, contentType: JSON_TYPE, body: JSON.stringify(reply.json) });
      return;
    }
    if (url.pathname !== REST_ENDPOINT) {
      send(response, { status: 404, contentType: HTML_TYPE, body: proxyErrorPage(404) });
      return;
    }
    // PHP fills $_POST only from form encodings; a JSON body is simply not seen.
    const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const variables = mergeRequestVariables(parsePhpInput(url.search.slice(1)), parsePhpInput(isForm ? body : ''));
    const call = { wsfunction: wsFunctionName(variables), courseId: courseIdOf(variables) };
    calls.record(call.wsfunction);
    for (const listener of listeners) listener(call);

    const settings = faults.current;
    if (settings.cliMaintenance) {
      send(response, cliMaintenanceReply(site.identity.sitename));
      return;
    }
    const fault = faults.drawTransportFault();
    if (fault === 'timeout') return; // never answered; close() destroys the socket
    let reply: HttpReply;
    let rows = 0;
    if (fault === undefined || fault === 'malformed') {
      const rest = runRestCall({ site, token, maintenance: settings.maintenance, siteUrl, variables });
      rows = rest.rows;
      reply = fault === 'malformed' ? malformed(restReply(rest), settings) : restReply(rest);
      const courseFault = faults.courseFault(call.wsfunction, call.courseId);
      if (courseFault) reply = courseFaultReply(courseFault, reply, siteUrl);
    } else {
      reply = faultReply(fault, settings);
    }
    const latencyMs = settings.latencyMs + settings.perRowLatencyMs * rows;
    calls.recordLatency(latencyMs);
    await delay(latencyMs);
    send(response, reply);
  }

  function delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = scheduleWait(() => {
        pendingWaits.delete(cancel);
        resolve();
      }, ms);
      pendingWaits.add(cancel);
    });
  }

  const listen = (port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      const refused = (error: Error) => reject(error);
      server.once('error', refused);
      server.listen(port, host, () => {
        server.off('error', refused);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const cancel of pendingWaits) cancel();
      pendingWaits.clear();
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server.closeAllConnections();
    });

  try {
    await listen(options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (error) {
    await events.close(); // or it would go on listening to the site's changes
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  siteUrl = `http://${host}:${address.port}`;

  return {
    url: siteUrl,
    site,
    faults,
    calls,
    events,
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stopListening: stop,
    async listenAgain() {
      if (!server.listening) await listen(address.port, address.address);
    },
    async close() {
      await stop();
      await events.close();
    },
  };
}

/** Moodle's per-course functions all name their course `courseid`. */
function courseIdOf(variables: PhpArray): number | undefined {
  const value = variables.get('courseid');
  const courseId = typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(courseId) ? courseId : undefined;
}

function cliMaintenanceReply(siteName: string): HttpReply {
  const { status, statusText, retryAfterSeconds } = CLI_MAINTENANCE_STATUS;
  return {
    status,
    statusText,
    contentType: HTML_TYPE,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: cliMaintenancePage(siteName),
  };
}

function restReply(rest: RestReply): HttpReply {
  return {
    status: 200,
    contentType: rest.contentType,
    body: rest.body,
    headers: {
      'cache-control': 'private, must-revalidate, pre-check=0, post-check=0, max-age=0',
      'access-control-allow-origin': '*',
    },
  };
}

/** Either the answer was cut off, or PHP printed warnings in front of it. */
function malformed(reply: HttpReply, settings: FaultSettings): HttpReply {
  const cut = settings.random() < 0.5;
  return {
    ...reply,
    body: cut ? reply.body.slice(0, Math.floor(reply.body.length / 2)) : PHP_WARNING_PREFIX + reply.body,
  };
}

function faultReply(fault: 'serverError' | 'rateLimit' | 'htmlError', settings: FaultSettings): HttpReply {
  switch (fault) {
    case 'serverError': {
      const status = SERVER_ERROR_STATUSES[Math.floor(settings.random() * SERVER_ERROR_STATUSES.length)] ?? 500;
      return { status, contentType: HTML_TYPE, body: proxyErrorPage(status) };
    }
    case 'rateLimit':
      return {
        status: 429,
        contentType: HTML_TYPE,
        body: proxyErrorPage(429),
        headers: { 'retry-after': String(settings.retryAfterSeconds) },
      };
    case 'htmlError':
      return { status: 200, contentType: HTML_TYPE, body: MOODLE_ERROR_PAGE };
  }
}

function send(response: ServerResponse, reply: HttpReply): void {
  if (response.destroyed) return;
  const headers = { ...reply.headers, 'content-type': reply.contentType };
  if (reply.stream) {
    response.writeHead(reply.status, reply.statusText, headers);
    // Goes on after the handler returns; it stops by itself once the socket closes.
    void reply.stream(response);
    return;
  }
  response.writeHead(reply.status, reply.statusText, { ...headers, 'content-length': Buffer.byteLength(reply.body) });
  response.end(reply.body);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
