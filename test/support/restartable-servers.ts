import type { Config } from '../../src/config';
import type { ManagedProcess } from '../../src/local/processes';
import { startEmbeddedStore, startFerretDb, startTemporalDevServer, type LocalService } from '../../src/local/services';
import { resolveTool } from '../../src/local/tools';

/**
 * A local server of the test's own that the test crashes (SIGKILL: no chance to close a connection or
 * flush anything) and starts again at the same address, as a host restart or an orchestrator would.
 * The first start takes a free port as usual; the restart takes that same port again, so that clients
 * configured with the address find the server back without being told anything.
 */
export interface RestartableServer {
  /** Kills it with SIGKILL and resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same arguments; resolves once it answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function killHard(managed: ManagedProcess): Promise<void> {
  process.kill(managed.pid, 'SIGKILL');
  // Already dying: stop() only waits for the exit.
  await managed.stop();
}

/** `first`'s main process can be killed and replaced by `startAgain()`; `stopAlso` stops what outlives it. */
function restartable(
  first: LocalService,
  startAgain: () => Promise<LocalService>,
  stopAlso: () => Promise<void> = async () => {},
): RestartableServer {
  let current = first;
  return {
    kill: () => killHard(current.process),
    async restart() {
      current = await startAgain();
    },
    async stop() {
      await current.stop();
      await stopAlso();
    },
  };
}

function portOf(hostAndPort: string): number {
  return Number(new URL(`tcp://${hostAndPort}`).port);
}

export interface RestartableTemporal extends RestartableServer {
  readonly address: string;
}

/** A headless Temporal dev server keeping its state in `dbFile`, so that a restart finds every run where it was. */
export async function startRestartableTemporal(config: Config, dbFile: string): Promise<RestartableTemporal> {
  const options = { binary: resolveTool('temporal', config), namespace: config.temporal.namespace, dbFile };
  const server = await startTemporalDevServer(options);
  const port = portOf(server.address);
  return {
    address: server.address,
    ...restartable(server, () => startTemporalDevServer({ ...options, port })),
  };
}

export interface RestartableStore extends RestartableServer {
  readonly uri: string;
}

/**
 * The embedded store (FerretDB over PostgreSQL) as the global setup starts it, whose FerretDB is what
 * gets killed and restarted: it is the MongoDB-protocol server the service talks to. PostgreSQL, its
 * storage, keeps running, as a MongoDB's disks would (its throwaway settings, synchronous_commit
 * off, may lose its last commits in a crash of its own: not a fault of the service).
 */
export async function startRestartableStore(config: Config): Promise<RestartableStore> {
  const store = await startEmbeddedStore({ config });
  const ferretOptions = {
    binary: resolveTool('ferretdb', config),
    postgresqlUrl: store.postgres.ferretDbUrl,
    port: Number(new URL(store.uri).port),
  };
  return {
    uri: store.uri,
    // Stopping the store after a restart stops the dead first FerretDB (nothing to do) and PostgreSQL.
    ...restartable(
      store,
      () => startFerretDb(ferretOptions),
      () => store.stop(),
    ),
  };
}
