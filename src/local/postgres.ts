import { execFile } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { EMBEDDED_INDEX_SQL } from './embedded-indexes';
import { ServiceStartError, startProcess, type ManagedProcess } from './processes';

/**
 * The PostgreSQL cluster under the local FerretDB: started from the
 * machine's PostgreSQL binaries (Debian's postgresql-15), on a Unix socket
 * only (no TCP port to collide with), in a throwaway folder or in a kept
 * one (`sms-sync dev`). PostgreSQL refuses to run as root, so a root host
 * runs it as the `postgres` user. docs/local-store.md explains the settings.
 */

const run = promisify(execFile);

/** The database FerretDB keeps every MongoDB database of ours in (one PostgreSQL schema each). */
export const FERRETDB_DATABASE = 'ferretdb';
/** Only the socket's file name: nothing listens on TCP. */
export const SOCKET_PORT = 5432;
/** FerretDB's pool. A FerretDB update command holds a connection per statement until it ends (docs/local-store.md). */
export const FERRETDB_POOL_CONNECTIONS = 200;
const MAX_CONNECTIONS = FERRETDB_POOL_CONNECTIONS + 50;
const DEFAULT_READY_TIMEOUT_MS = 30_000;

const SERVER_SETTINGS: Record<string, string> = {
  listen_addresses: '',
  port: String(SOCKET_PORT),
  max_connections: String(MAX_CONNECTIONS),
  // A test and dev store: losing it to a power cut costs nothing, and durability costs most of its write time.
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  // FerretDB names the filtered field as a bind parameter (`_jsonb->$1 @> $2`); a generic plan cannot match an
  // expression index with it, so PostgreSQL must plan each execution with its values.
  plan_cache_mode: 'force_custom_plan',
};

export class PostgresNotFoundError extends ServiceStartError {}

/** Where initdb and postgres are: POSTGRES_BIN_DIR, or the newest Debian/Ubuntu install. */
export function findPostgresBinDir(configured: string | undefined): string {
  if (configured !== undefined) {
    const dir = path.resolve(configured);
    if (!existsSync(path.join(dir, 'postgres')))
      throw new PostgresNotFoundError(`POSTGRES_BIN_DIR=${dir} has no postgres binary`);
    return dir;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && existsSync(path.join(root, name, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new PostgresNotFoundError(
      'PostgreSQL is not installed: the local database (FerretDB) stores its data in it. ' +
        'Install it (Debian/Ubuntu: `apt-get install postgresql-15`) or set POSTGRES_BIN_DIR to the folder of its initdb and postgres.',
    );
  }
  return path.join(root, versions[0] as string, 'bin');
}

interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL will not run as root; a root host hands it to the `postgres` user that its package creates. */
async function serverUser(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new PostgresNotFoundError(
      'running as root, PostgreSQL needs the `postgres` user, which does not exist (install postgresql-15)',
    );
  }
}

/** A folder the server user owns (created when missing). */
function ownedFolder(folder: string, user: RunAs | undefined): string {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (user) chownSync(folder, user.uid, user.gid);
  return folder;
}

async function runAs(user: RunAs | undefined, binary: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(binary, args, { ...user, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const err = error as Error & { stderr?: string };
    throw new ServiceStartError(`${binary} ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

/**
 * Makes a kept cluster folder usable: it must be readable (a run as root
 * leaves it to the `postgres` user, which an ordinary user's run cannot
 * read), and a PostgreSQL left running on it by a host that was killed
 * (SIGKILL: no chance to stop its children) is stopped first.
 */
async function takeOverKeptCluster(dataDir: string): Promise<void> {
  if (!existsSync(dataDir)) return;
  try {
    accessSync(dataDir, constants.R_OK | constants.X_OK);
  } catch {
    throw new ServiceStartError(
      `${dataDir} holds a database this user cannot read (a run as root leaves it to the postgres user): ` +
        'remove it as root, or set LOCAL_STATE_DIR to another folder.',
    );
  }
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  // postmaster.pid: the pid on line 1, the first socket folder on line 5.
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !isPostgres(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isPostgres(pid); waited += 100) {
    if (waited > ORPHAN_STOP_TIMEOUT_MS)
      throw new ServiceStartError(`a PostgreSQL left running on ${dataDir} (pid ${pid}) did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The killed host could not remove its run folder; only one of ours is removed.
  const socketDir = lines[4]?.trim();
  if (socketDir && path.dirname(socketDir) === tmpdir() && path.basename(socketDir).startsWith(RUN_DIR_PREFIX)) {
    rmSync(socketDir, { recursive: true, force: true });
  }
}

const ORPHAN_STOP_TIMEOUT_MS = 15_000;

/** Each running cluster's socket folder, under the temporary folder. */
const RUN_DIR_PREFIX = 'sms-pg-';

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

/** A root host's kept folder may sit under a private one (e.g. /root) that the `postgres` user cannot enter. */
async function checkReachable(folder: string, user: RunAs | undefined): Promise<void> {
  if (user === undefined) return;
  try {
    await run('test', ['-w', folder, '-a', '-x', folder], user);
  } catch {
    throw new ServiceStartError(
      `PostgreSQL runs as the postgres user (it refuses root), which cannot reach ${folder}: a folder above it is private. ` +
        'Set LOCAL_STATE_DIR to a folder under one it can enter (e.g. /var/tmp/sms-sync), or run as an ordinary user.',
    );
  }
}

export interface LocalPostgres {
  readonly process: ManagedProcess;
  /** The URL FerretDB's `--postgresql-url` takes (pgx syntax, Unix socket). */
  readonly ferretDbUrl: string;
  /** The folder of its Unix socket (`psql -h`; the socket's port is SOCKET_PORT). */
  readonly socketDir: string;
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  binDir: string;
  /** A cluster folder to keep between runs (initialised when empty); a throwaway one when absent. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const user = await serverUser();
  // Unix socket paths are limited to ~100 bytes, so the socket lives in a short temporary folder.
  const runDir = mkdtempSync(path.join(tmpdir(), RUN_DIR_PREFIX));
  const removeRunDir = () => rmSync(runDir, { recursive: true, force: true });
  try {
    ownedFolder(runDir, user);
    const dataDir = options.dataDir ?? path.join(runDir, 'data');
    if (options.dataDir !== undefined) await takeOverKeptCluster(options.dataDir);
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      ownedFolder(dataDir, user);
      await checkReachable(dataDir, user);
      await runAs(user, path.join(options.binDir, 'initdb'), [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
      ]);
    }
    const psql = (database: string, statement: string) =>
      runAs(undefined, path.join(options.binDir, 'psql'), [
        '-h',
        runDir,
        '-p',
        String(SOCKET_PORT),
        '-U',
        'postgres',
        '-d',
        database,
        '-X',
        '-q',
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        statement,
      ]);
    const settings = Object.entries({ ...SERVER_SETTINGS, unix_socket_directories: runDir }).flatMap(
      ([name, value]) => ['-c', `${name}=${value}`],
    );
    const server = await startProcess({
      name: 'PostgreSQL',
      binary: path.join(options.binDir, 'postgres'),
      args: ['-D', dataDir, ...settings],
      endpoint: `${runDir}/.s.PGSQL.${SOCKET_PORT}`,
      isReady: async () => (await psql('postgres', 'SELECT 1')).trim() === '1',
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      // Fast shutdown: SIGTERM would wait for FerretDB's pooled connections to close.
      stopSignal: 'SIGINT',
      user,
      afterExit: removeRunDir,
    });
    const stop = () => server.stop();
    try {
      const exists = await psql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${FERRETDB_DATABASE}'`);
      if (exists.trim() !== '1') await psql('postgres', `CREATE DATABASE ${FERRETDB_DATABASE}`);
      await psql(FERRETDB_DATABASE, EMBEDDED_INDEX_SQL);
    } catch (error) {
      await stop();
      throw error;
    }
    const socket = encodeURIComponent(runDir);
    return {
      process: server,
      socketDir: runDir,
      ferretDbUrl: `postgres://postgres@/${FERRETDB_DATABASE}?host=${socket}&port=${SOCKET_PORT}&pool_max_conns=${FERRETDB_POOL_CONNECTIONS}`,
      stop,
    };
  } catch (error) {
    removeRunDir();
    throw error;
  }
}
