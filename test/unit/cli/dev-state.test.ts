import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { loadConfig } from '../../../src/config';
import {
  devStatePath,
  readDevState,
  removeDevState,
  writeDevState,
  type DevState,
} from '../../../src/config/dev-state';
import { runCommand } from '../../support/cli';

describe('the dev stack state file', () => {
  let stateDir: string;
  const state = (pid = process.pid): DevState => ({
    pid,
    servicePids: [],
    graphqlUrl: 'http://127.0.0.1:4100/graphql',
    defaults: {
      MONGODB_URI: 'mongodb://127.0.0.1:27100/?directConnection=true',
      MONGODB_DB: 'sms_dev',
      TEMPORAL_ADDRESS: '127.0.0.1:7300',
      MOODLE_TOKEN: 'simulator-token',
    },
  });

  beforeEach(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'sms-sync-state-'));
  });

  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('gives the ops commands the running stack’s services as defaults, under the environment', () => {
    writeDevState(stateDir, state());
    const config = loadConfig(
      { LOCAL_STATE_DIR: stateDir, MONGODB_DB: 'mine' },
      { useDevStack: true, require: ['MONGODB_URI', 'TEMPORAL_ADDRESS'] },
    );
    expect(config.mongo).toEqual({ uri: 'mongodb://127.0.0.1:27100/?directConnection=true', database: 'mine' });
    expect(config.temporal.address).toBe('127.0.0.1:7300');
    expect(config.local.devStack).toEqual({ pid: process.pid, graphqlUrl: 'http://127.0.0.1:4100/graphql' });
    // As careful as a token from the environment: a Secret, never printed.
    expect(config.moodle.token?.reveal()).toBe('simulator-token');
    expect(inspect(config)).not.toContain('simulator-token');
  });

  it('is readable by its owner only', () => {
    writeDevState(stateDir, state());
    expect(statSync(devStatePath(stateDir)).mode & 0o077).toBe(0);
  });

  it('is used only when asked for (never by worker, api or tests) and only while its process lives', () => {
    writeDevState(stateDir, state());
    expect(loadConfig({ LOCAL_STATE_DIR: stateDir }).mongo.uri).toBeUndefined();

    // A pid that cannot be running: the file of a `dev` that was killed.
    writeFileSync(devStatePath(stateDir), JSON.stringify(state(2 ** 22 + 1)));
    expect(readDevState(stateDir)).toBeUndefined();
    expect(loadConfig({ LOCAL_STATE_DIR: stateDir }, { useDevStack: true }).mongo.uri).toBeUndefined();

    writeFileSync(devStatePath(stateDir), '{ not json');
    expect(readDevState(stateDir)).toBeUndefined();
  });

  it('is removed only by the process that wrote it', () => {
    writeDevState(stateDir, state(process.ppid));
    removeDevState(stateDir);
    expect(JSON.parse(readFileSync(devStatePath(stateDir), 'utf8'))).toMatchObject({ pid: process.ppid });
    writeDevState(stateDir, state());
    removeDevState(stateDir);
    expect(readDevState(stateDir)).toBeUndefined();
  });

  it('without it and without the variables, an ops command says what is missing and exits 78', async () => {
    const { TEMPORAL_ADDRESS: _address, MONGODB_URI: _uri, ...env } = process.env;
    const { code, output } = await runCommand(['status'], { ...env, LOCAL_STATE_DIR: stateDir });
    expect(code).toBe(78);
    expect(output).toContain('MONGODB_URI: required but not set');
    expect(output).toContain('npm run dev');
  });
});
