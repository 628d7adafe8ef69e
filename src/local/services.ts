import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import type { Config } from '../config';
import { freePort, startProcess, type ManagedProcess } from './processes';
import { resolveTool } from './tools';

const LOOPBACK = '127.0.0.1';
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 2_000;

export interface LocalService {
  readonly process: ManagedProcess;
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
  /** `Name=Type` pairs registered at start. */
  searchAttributes?: string[];
  /** SQLite file for persistence across restarts; in memory when absent. */
  dbFile?: string;
  readyTimeoutMs?: number;
}

async function temporalAnswers(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: PROBE_TIMEOUT_MS });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await freePort());
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
  for (const attribute of options.searchAttributes ?? []) args.push('--search-attribute', attribute);
  if (options.dbFile) args.push('--db-filename', options.dbFile);

  const process = await startProcess({
    name: 'Temporal dev server',
    binary: options.binary,
    args,
    endpoint: address,
    isReady: () => temporalAnswers(address, namespace),
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
  });
  return { process, address, namespace, uiUrl, stop: () => process.stop() };
}

export interface FerretDb extends LocalService {
  readonly uri: string;
}

export interface FerretDbOptions {
  binary: string;
  port?: number;
  /** Existing folder for the SQLite files; a temporary one (removed on stop) when absent. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

async function mongoAnswers(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: PROBE_TIMEOUT_MS, connectTimeoutMS: PROBE_TIMEOUT_MS });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close();
  }
}

export async function startFerretDb(options: FerretDbOptions): Promise<FerretDb> {
  const port = options.port ?? (await freePort());
  const temporaryDir = options.dataDir ? undefined : mkdtempSync(path.join(tmpdir(), 'sms-sync-ferretdb-'));
  const dataDir = options.dataDir ?? (temporaryDir as string);
  const uri = `mongodb://${LOOPBACK}:${port}/?directConnection=true`;
  const removeTemporaryDir = () => {
    if (temporaryDir) rmSync(temporaryDir, { recursive: true, force: true });
  };
  try {
    const process = await startProcess({
      name: 'FerretDB',
      binary: options.binary,
      args: [
        '--handler=sqlite',
        `--sqlite-url=file:${dataDir}/`,
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
    return {
      process,
      uri,
      async stop() {
        await process.stop();
        removeTemporaryDir();
      },
    };
  } catch (error) {
    removeTemporaryDir();
    throw error;
  }
}

export interface LocalServices {
  readonly temporalAddress: string;
  readonly mongoUri: string;
  readonly temporalUiUrl?: string;
  /** The servers this call started (none for those given by configuration). */
  readonly started: LocalService[];
  stop(): Promise<void>;
}

export interface LocalServicesOptions {
  ui?: boolean;
  searchAttributes?: string[];
  readyTimeoutMs?: number;
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
        searchAttributes: options.searchAttributes,
        readyTimeoutMs: options.readyTimeoutMs,
      });
      started.push(temporal);
      temporalAddress = temporal.address;
      temporalUiUrl = temporal.uiUrl;
    }
    let mongoUri = config.mongo.uri;
    if (mongoUri === undefined) {
      const ferret = await startFerretDb({ binary: resolveTool('ferretdb', config), readyTimeoutMs: options.readyTimeoutMs });
      started.push(ferret);
      mongoUri = ferret.uri;
    }
    return { temporalAddress, mongoUri, temporalUiUrl, started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
