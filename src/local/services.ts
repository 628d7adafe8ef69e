import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import type { Config } from '../config';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { startLocalPostgres, findPostgresBinDir, type LocalPostgres } from './postgres';
import { freePort, startOnFreePort, startProcess, type ManagedProcess } from './processes';
import { resolveTool } from './tools';

const LOOPBACK = '127.0.0.1';
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 2_000;

export interface LocalService {
  readonly process: ManagedProcess;
  /** Every process of the service (a store is FerretDB and PostgreSQL), for checks that none is left. */
  readonly pids: number[];
  stop(): Promise<void>;
}

export interface TemporalDevServer extends LocalService {
  /** host:port of the gRPC frontend. */
  readonly address: string;
  readonly namespace: string;
  /** Present when the UI was asked for. */
  readonly uiUrl?: string;
}

export interface TemporalDevServerOptions {
  binary: string;
  namespace?: string;
  port?: number;
  /** Serve the Temporal UI; on a free port unless given. */
  ui?: boolean | { port: number };
  /** SQLite file for persistence across restarts; in memory when absent. */
  dbFile?: string;
  readyTimeoutMs?: number;
}

async function withTemporal<T>(address: string, use: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: PROBE_TIMEOUT_MS });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

async function temporalAnswers(address: string, namespace: string): Promise<boolean> {
  await withTemporal(address, (connection) => connection.workflowService.describeNamespace({ namespace }));
  return true;
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  return startOnFreePort(options.port, (port) => startTemporalOnPort(options, port));
}

async function startTemporalOnPort(options: TemporalDevServerOptions, port: number): Promise<TemporalDevServer> {
  const namespace = options.namespace ?? 'default';
  const address = `${LOOPBACK}:${port}`;
  const args = ['server', 'start-dev', '--ip', LOOPBACK, '--port', String(port), '--log-level', 'warn'];
  if (namespace !== 'default') args.push('--namespace', namespace);
  let uiUrl: string | undefined;
  if (options.ui) {
    const uiPort = typeof options.ui === 'object' ? options.ui.port : await freePort();
    args.push('--ui-port', String(uiPort));
    uiUrl = `http://${LOOPBACK}:${uiPort}`;
  } else {
    args.push('--headless');
  }
  if (options.dbFile) args.push('--db-filename', options.dbFile);

  const process = await startProcess({
    name: 'Temporal dev server',
    binary: options.binary,
    args,
    endpoint: address,
    isReady: () => temporalAnswers(address, namespace),
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
  });
  // Through the API rather than `--search-attribute`, which the CLI applies only when it creates the
  // namespace: a database kept from before an attribute existed would never get it.
  try {
    await withTemporal(address, (connection) => registerSearchAttributes(connection.operatorService, namespace));
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { process, pids: [process.pid], address, namespace, uiUrl, stop: () => process.stop() };
}

export interface FerretDb extends LocalService {
  readonly uri: string;
}

export interface FerretDbOptions {
  binary: string;
  /** The PostgreSQL database FerretDB stores its data in (`--postgresql-url`). */
  postgresqlUrl: string;
  port?: number;
  readyTimeoutMs?: number;
}

async function mongoAnswers(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: PROBE_TIMEOUT_MS,
    connectTimeoutMS: PROBE_TIMEOUT_MS,
  });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close();
  }
}

export async function startFerretDb(options: FerretDbOptions): Promise<FerretDb> {
  return startOnFreePort(options.port, async (port) => {
    const uri = `mongodb://${LOOPBACK}:${port}/?directConnection=true`;
    const process = await startProcess({
      name: 'FerretDB',
      binary: options.binary,
      args: [
        '--handler=postgresql',
        `--postgresql-url=${options.postgresqlUrl}`,
        `--listen-addr=${LOOPBACK}:${port}`,
        '--telemetry=disable',
        // The driver's endSessions, which FerretDB does not implement, is logged as a warning on every close.
        '--log-level=error',
        '--state-dir=-',
        '--debug-addr=-',
      ],
      endpoint: `${LOOPBACK}:${port}`,
      isReady: () => mongoAnswers(uri),
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    });
    return { process, pids: [process.pid], uri, stop: () => process.stop() };
  });
}

/** The local MongoDB-protocol store: FerretDB over a PostgreSQL cluster of its own. */
export interface EmbeddedStore extends LocalService {
  readonly uri: string;
  readonly postgres: LocalPostgres;
}

export interface EmbeddedStoreOptions {
  config: Config;
  /** Keep the data in this folder between runs (`sms-sync dev`); throwaway when absent. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

export async function startEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  const ferretBinary = resolveTool('ferretdb', options.config);
  const postgres = await startLocalPostgres({
    binDir: findPostgresBinDir(options.config.tools.postgresBinDir),
    dataDir: options.dataDir,
    readyTimeoutMs: options.readyTimeoutMs,
  });
  try {
    const ferret = await startFerretDb({
      binary: ferretBinary,
      postgresqlUrl: postgres.ferretDbUrl,
      readyTimeoutMs: options.readyTimeoutMs,
    });
    return {
      process: ferret.process,
      uri: ferret.uri,
      postgres,
      pids: [ferret.process.pid, postgres.process.pid],
      async stop() {
        // FerretDB first: PostgreSQL's shutdown would cut its pooled connections under it.
        await ferret.stop();
        await postgres.stop();
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

export interface LocalServices {
  readonly temporalAddress: string;
  readonly mongoUri: string;
  readonly temporalUiUrl?: string;
  /** The embedded store, when this call started it. */
  readonly store?: EmbeddedStore;
  /** The servers this call started (none for those given by configuration). */
  readonly started: LocalService[];
  stop(): Promise<void>;
}

export interface LocalServicesOptions {
  ui?: boolean;
  readyTimeoutMs?: number;
  /** Keep Temporal's history in this SQLite file between runs; in memory when absent. */
  temporalDbFile?: string;
  /** Keep the store's PostgreSQL cluster in this folder between runs; throwaway when absent. */
  storeDataDir?: string;
}

/**
 * Uses the Temporal server and MongoDB that configuration names, and starts a
 * local one for whichever is missing.
 */
export async function startLocalServices(config: Config, options: LocalServicesOptions = {}): Promise<LocalServices> {
  const started: LocalService[] = [];
  const stop = async () => {
    await Promise.all(started.map((service) => service.stop()));
  };
  try {
    let temporalAddress = config.temporal.address;
    let temporalUiUrl: string | undefined;
    if (temporalAddress === undefined) {
      const temporal = await startTemporalDevServer({
        binary: resolveTool('temporal', config),
        namespace: config.temporal.namespace,
        ui: options.ui,
        dbFile: options.temporalDbFile,
        readyTimeoutMs: options.readyTimeoutMs,
      });
      started.push(temporal);
      temporalAddress = temporal.address;
      temporalUiUrl = temporal.uiUrl;
    }
    let mongoUri = config.mongo.uri;
    let store: EmbeddedStore | undefined;
    if (mongoUri === undefined) {
      store = await startEmbeddedStore({
        config,
        dataDir: options.storeDataDir,
        readyTimeoutMs: options.readyTimeoutMs,
      });
      started.push(store);
      mongoUri = store.uri;
    }
    return { temporalAddress, mongoUri, temporalUiUrl, store, started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
