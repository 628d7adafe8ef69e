import { ServiceStartError, startOnFreePort } from '../../../src/local/processes';

describe('startOnFreePort', () => {
  it('tries a new free port when another process took the chosen one first', async () => {
    const tried: number[] = [];
    const started = await startOnFreePort(undefined, async (port) => {
      tried.push(port);
      if (tried.length === 1)
        throw new ServiceStartError(`FerretDB exited: listen tcp 127.0.0.1:${port}: bind: address already in use`);
      return `listening on ${port}`;
    });
    expect(tried).toHaveLength(2);
    expect(started).toBe(`listening on ${tried[1]}`);
  });

  it('gives up after the attempts it was given', async () => {
    let attempts = 0;
    const start = startOnFreePort(
      undefined,
      async () => {
        attempts += 1;
        throw new ServiceStartError('bind: address already in use');
      },
      3,
    );
    await expect(start).rejects.toThrow('address already in use');
    expect(attempts).toBe(3);
  });

  it('does not retry other failures, nor a port the caller chose', async () => {
    let attempts = 0;
    const failing = async () => {
      attempts += 1;
      throw new ServiceStartError('exited with code 1 before it was ready');
    };
    await expect(startOnFreePort(undefined, failing)).rejects.toThrow('exited with code 1');
    expect(attempts).toBe(1);

    const chosen: number[] = [];
    const taken = startOnFreePort(4321, async (port) => {
      chosen.push(port);
      throw new ServiceStartError('address already in use');
    });
    await expect(taken).rejects.toThrow('address already in use');
    expect(chosen).toEqual([4321]);
  });
});
