import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config';
import { isProcessAlive } from '../../src/config/dev-state';
import { ServiceStartError } from '../../src/local/processes';
import { startEmbeddedStore, startTemporalDevServer } from '../../src/local/services';
import { resolveTool } from '../../src/local/tools';
import { waitUntil } from '../support/wait';

const run = promisify(execFile);

interface Host {
  process: ChildProcess;
  /** Temporal's, FerretDB's, then PostgreSQL's. */
  pids: number[];
  socketDir: string;
}

/** A process hosting the local servers as `sms-sync dev` and the test setup do, with a kept store folder when given. */
async function startHost(storeDataDir?: string): Promise<Host> {
  // tsx as a loader, not its CLI: the CLI runs the script in a child of its own, which a SIGKILL would not reach.
  const args = [
    '--import',
    'tsx',
    path.join(__dirname, '../support/host-local-services.ts'),
    ...(storeDataDir ? [storeDataDir] : []),
  ];
  const host = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: host.stdout! }), 'line')) as [string];
  return { process: host, ...(JSON.parse(line) as { pids: number[]; socketDir: string }) };
}

/** Alive and not a zombie: an orphan that exited stays one where nothing reaps it (a container's init). */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** This process's children running `name` (servers it started itself). */
async function childrenNamed(name: string): Promise<string[]> {
  const { stdout } = await run('ps', ['--ppid', String(process.pid), '-o', 'args=']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((line) => line.includes(name));
}

describe('local services', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'leave no server process or folder behind when the host gets %s',
    async (signal) => {
      const host = await startHost();
      expect(host.pids).toHaveLength(3);
      expect(host.pids.every(isProcessAlive)).toBe(true);
      expect(existsSync(host.socketDir)).toBe(true);

      host.process.kill(signal);
      const [code] = (await once(host.process, 'exit')) as [number | null];

      expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(await waitUntil(() => host.pids.every((pid) => !isProcessAlive(pid)), 5_000)).toBe(true);
      // The throwaway cluster's folder (its socket and data) goes with it.
      expect(existsSync(host.socketDir)).toBe(false);
    },
  );

  it('stops the PostgreSQL it started when FerretDB then fails to start', async () => {
    // Run in band, this process also hosts the test run's own servers.
    const before = await childrenNamed('postgres');
    // `false` exits at once: FerretDB "exited with code 1 before it was ready".
    const failing = startEmbeddedStore({ config: loadConfig({ FERRETDB_PATH: '/bin/false' }), readyTimeoutMs: 20_000 });
    await expect(failing).rejects.toThrow(/FerretDB \(\/bin\/false\) exited with code 1 before it was ready/);
    expect(await childrenNamed('postgres')).toEqual(before);
  });

  it(
    'takes over a kept cluster whose host was killed with SIGKILL, ' + 'leaving its PostgreSQL and run folder behind',
    async () => {
      const kept = mkdtempSync(path.join(tmpdir(), 'sms-sync-kept-'));
      // Like a checkout's .local/: a root run hands the kept cluster to the postgres user, who must reach it.
      chmodSync(kept, 0o755);
      const dataDir = path.join(kept, 'postgres');
      const first = await startHost(dataDir);
      let second: Host | undefined;
      try {
        first.process.kill('SIGKILL');
        await once(first.process, 'exit');
        const orphanPostgres = first.pids[2]!;
        expect(isRunning(orphanPostgres)).toBe(true);
        expect(existsSync(first.socketDir)).toBe(true);

        second = await startHost(dataDir);
        expect(isRunning(orphanPostgres)).toBe(false);
        expect(existsSync(first.socketDir)).toBe(false);
        expect(second.pids.every(isProcessAlive)).toBe(true);
      } finally {
        for (const pid of first.pids.filter(isProcessAlive)) process.kill(pid, 'SIGKILL');
        if (second) {
          second.process.kill('SIGINT');
          await once(second.process, 'exit');
        }
        rmSync(kept, { recursive: true, force: true });
      }
    },
  );

  it('reports which binary failed, where, and its last log lines when a server cannot start', async () => {
    const store = await startEmbeddedStore({ config: loadConfig({}) });
    try {
      const port = Number(new URL(store.uri).port);
      // A second server on the same port cannot listen: its start must fail fast and say why.
      const failure = startTemporalDevServer({
        binary: resolveTool('temporal', loadConfig({})),
        port,
        readyTimeoutMs: 20_000,
      });
      await expect(failure).rejects.toThrow(ServiceStartError);
      await expect(failure).rejects.toThrow(
        new RegExp(`Temporal dev server \\(.*temporal\\) .* on 127\\.0\\.0\\.1:${port}`),
      );
    } finally {
      await store.stop();
    }
  });
});
