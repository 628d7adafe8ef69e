import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT } from '../../src/commands/exit-codes';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';
import { startLocalServices, type LocalServices } from '../../src/local/services';
import { connectDatabase } from '../../src/store/mongo';
import { PREBUILT_WORKFLOW_BUNDLE } from '../../src/temporal/worker';
import {
  buildStage,
  dockerignoreMatcher,
  hostPath,
  parseDockerfile,
  unreadableByOthers,
  type BuiltStage,
} from '../support/dockerfile';
import { uniqueName } from '../support/environment';
import { waitUntil } from '../support/wait';

/**
 * There is no Docker engine here, so this does what `docker build` and `docker run` would with the
 * Dockerfile (see test/support/dockerfile.ts): every stage's COPY and RUN in order, in temporary
 * folders, then the image's ENTRYPOINT and CMD from the last stage's folder. It catches a build
 * step that needs a file the recipe never copies, and an image that cannot load what it ships.
 */

const REPO = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');

// npm ci, tsc and webpack on two busy cores; CI's npm cache is warm from its own npm ci.
const STEP_TIMEOUT_MS = 5 * 60_000;
const BUILD_DEADLINE_MS = 10 * 60_000;
const COMMAND_TIMEOUT_MS = 30_000;
const WORKER_START_TIMEOUT_MS = 60_000;
const SERVICES_READY_TIMEOUT_MS = 60_000;

/** The machine's environment without this test run's own settings, as a build or a container starts. */
function baseEnvironment(): Record<string, string> {
  const own = new Set<string>([...CONFIG_VARIABLES, 'NODE_OPTIONS', 'INIT_CWD']);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !own.has(name) && !/^(npm_|jest_|sms_sync_)/i.test(name)) env[name] = value;
  }
  // The node running the tests stands in for the base image's (in CI the major .node-version names).
  env.PATH = [path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter);
  return env;
}

interface ImageProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code; kills the process when it outlives `timeoutMs`. */
  exit(timeoutMs: number): Promise<number | null>;
}

/** `docker run image ...args`: the image's command line, run in its WORKDIR with its ENV. */
function startImage(image: BuiltStage, args: string[], env: Record<string, string>): ImageProcess {
  const [command, ...rest] = args;
  const child = spawn(command!, rest, {
    cwd: hostPath(image.root, image.workdir, '.'),
    env: { ...baseEnvironment(), ...image.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async exit(timeoutMs) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await closed;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function runImage(image: BuiltStage, args: string[], env: Record<string, string> = {}) {
  const started = startImage(image, args, env);
  const code = await started.exit(COMMAND_TIMEOUT_MS);
  return { code, output: started.output() };
}

describe('the Docker image, built and started as its Dockerfile says', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  let workspace: string;
  let image: BuiltStage | undefined;

  const built = (): BuiltStage => {
    if (!image) throw new Error('the image did not build: see the first test');
    return image;
  };
  const inImage = (file: string) => hostPath(built().root, built().workdir, file);

  beforeAll(() => {
    workspace = mkdtempSync(path.join(tmpdir(), 'sms-sync-image-'));
  });

  afterAll(() => {
    rmSync(workspace, { recursive: true, force: true });
  });

  it(
    'builds every stage from the files the recipe copies, into an image with the prebuilt workflow bundle',
    async () => {
      const ignored = dockerignoreMatcher(existsSync(path.join(REPO, '.dockerignore')) ? read('.dockerignore') : '');
      const deadline = Date.now() + BUILD_DEADLINE_MS;
      const named = new Map<string, BuiltStage>();
      const timings: string[] = [];
      for (const [index, stage] of stages.entries()) {
        const root = path.join(workspace, stage.name ?? `stage-${index}`);
        mkdirSync(root);
        const result = await buildStage(stage, {
          context: REPO,
          root,
          stages: named,
          env: baseEnvironment(),
          ignored,
          deadline,
          stepTimeoutMs: STEP_TIMEOUT_MS,
          onStep: (instruction, ms) => {
            if (ms >= 1000) timings.push(`line ${instruction.line} ${instruction.kind} ${(ms / 1000).toFixed(1)} s`);
          },
        });
        if (stage.name) named.set(stage.name, result);
        image = result;
      }
      console.info(`image build steps over 1 s: ${timings.join(', ')}`);

      // The production worker loads this instead of bundling the workflows at start (src/temporal/worker.ts).
      expect(existsSync(inImage(`dist/${path.basename(PREBUILT_WORKFLOW_BUNDLE)}`))).toBe(true);
      // With the sources present, bin/sms-sync.js would run them through tsx, a dev dependency.
      expect(existsSync(inImage('src/main.ts'))).toBe(false);
      expect(existsSync(inImage('dist/src/main.js'))).toBe(true);
      const user = built().user;
      if (user !== undefined && user !== 'root' && user !== '0') {
        expect(await unreadableByOthers(built().root)).toEqual([]);
      }
    },
    BUILD_DEADLINE_MS + 60_000,
  );

  it('starts: prints its version and help; its worker without configuration stops at the config check', async () => {
    const { entrypoint, cmd } = built();
    // The base image's ENTRYPOINT is a shell script this test cannot stand in for.
    expect(entrypoint.length).toBeGreaterThan(0);

    const version = await runImage(built(), [...entrypoint, '--version']);
    expect(version).toEqual({ code: EXIT.ok, output: `${JSON.parse(read('package.json')).version}\n` });

    const help = await runImage(built(), [...entrypoint, '--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.output).toMatch(/^Usage: sms-sync /);

    const worker = await runImage(built(), [...entrypoint, ...cmd]);
    expect(worker.output).toContain('Invalid configuration:\n  - MONGODB_URI: required but not set');
    expect(worker.code).toBe(EXIT.config);
  });

  it(
    'runs its worker against Temporal and the store until SIGTERM, which stops it cleanly',
    async () => {
      const { entrypoint, cmd } = built();
      expect(cmd).toEqual(['worker']);
      // A Temporal server of its own: the worker ensures the schedules, whose ids are per namespace, and other
      // test files own them on the shared one. The shared store (integration global setup) is used when there is one.
      const { TEMPORAL_ADDRESS: _shared, ...inherited } = process.env;
      let services: LocalServices | undefined;
      let worker: ImageProcess | undefined;
      const databaseName = uniqueName('sms_image').replace('-', '_');
      try {
        services = await startLocalServices(loadConfig(inherited), { readyTimeoutMs: SERVICES_READY_TIMEOUT_MS });
        worker = startImage(built(), [...entrypoint, ...cmd], {
          TEMPORAL_ADDRESS: services.temporalAddress,
          MONGODB_URI: services.mongoUri,
          MONGODB_DB: databaseName,
          TEMPORAL_TASK_QUEUE: uniqueName('image'),
          // Nothing listens there: the worker only calls Moodle when a sync runs.
          MOODLE_URL: 'http://127.0.0.1:9',
          MOODLE_TOKEN: 'image-test-token',
        });
        const running = worker;
        const started = await waitUntil(
          () =>
            running.output().includes('"msg":"worker started"') ||
            running.child.exitCode !== null ||
            running.child.signalCode !== null,
          WORKER_START_TIMEOUT_MS,
        );
        expect({ started, output: running.output() }).toEqual({
          started: true,
          output: expect.stringContaining('"msg":"worker started"'),
        });

        worker.child.kill('SIGTERM');
        const code = await worker.exit(COMMAND_TIMEOUT_MS);
        expect({ code, output: worker.output() }).toEqual({
          code: EXIT.ok,
          output: expect.stringContaining('"msg":"worker stopped"'),
        });
      } finally {
        if (worker && worker.child.exitCode === null && worker.child.signalCode === null) await worker.exit(0);
        if (services) {
          const database = await connectDatabase(services.mongoUri, databaseName);
          await database.db.dropDatabase();
          await database.close();
          await services.stop();
        }
      }
    },
    SERVICES_READY_TIMEOUT_MS + WORKER_START_TIMEOUT_MS + 2 * COMMAND_TIMEOUT_MS,
  );
});
