import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiApp } from './app';

export interface ApiServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Answers the readiness probe: can the API reach what it depends on? */
  isReady: () => Promise<boolean>;
}

/**
 * How long the readiness probe waits for `isReady`. A database that does not
 * answer keeps the driver waiting 10 s for a server; orchestrators give up on
 * a probe sooner (Kubernetes: after 1 s by default), and need a "no", not a hang.
 */
export const READINESS_TIMEOUT_MS = 2_000;

/** `isReady`'s answer, false when it fails or takes longer than READINESS_TIMEOUT_MS. */
async function readyWithin(isReady: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), READINESS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([isReady().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serves the GraphQL app plus two anonymous probes for orchestrators:
 * `/health/live` (the process answers; handled by Yoga) and `/health/ready`.
 */
export async function startApiServer(app: ApiApp, options: ApiServerOptions): Promise<ApiServer> {
  const server = createServer((request, response) => {
    if (request.url === '/health/ready') {
      void readyWithin(options.isReady).then((ready) => {
        response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ready }));
      });
      return;
    }
    void app.handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    server,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
