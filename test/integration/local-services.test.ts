import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config';
import { isProcessAlive } from '../../src/local/dev-state';
import { ServiceStartError } from '../../src/local/processes';
import { startEmbeddedStore, startTemporalDevServer } from '../../src/local/services';
import { resolveTool } from '../../src/local/tools';
import { waitUntil } from '../support/wait';

describe('local services', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('leave no server process behind when the host gets %s', async (signal) => {
    const host = spawn(
      process.execPath,
      [require.resolve('tsx/cli'), path.join(__dirname, '../support/host-local-services.ts')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(createInterface({ input: host.stdout! }), 'line')) as [string];
    const { pids } = JSON.parse(line) as { pids: number[] };
    // Temporal, FerretDB and the PostgreSQL under it.
    expect(pids).toHaveLength(3);
    expect(pids.every(isProcessAlive)).toBe(true);

    host.kill(signal);
    const [code] = (await once(host, 'exit')) as [number | null];

    expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(await waitUntil(() => pids.every((pid) => !isProcessAlive(pid)), 5_000)).toBe(true);
  });

  it('reports which binary failed, where, and its last log lines when a server cannot start', async () => {
    const store = await startEmbeddedStore({ config: loadConfig({}) });
    try {
      const port = Number(new URL(store.uri).port);
      // A second server on the same port cannot listen: its start must fail fast and say why.
      const failure = startTemporalDevServer({ binary: resolveTool('temporal', loadConfig({})), port, readyTimeoutMs: 20_000 });
      await expect(failure).rejects.toThrow(ServiceStartError);
      await expect(failure).rejects.toThrow(new RegExp(`Temporal dev server \\(.*temporal\\) .* on 127\\.0\\.0\\.1:${port}`));
    } finally {
      await store.stop();
    }
  });
});
