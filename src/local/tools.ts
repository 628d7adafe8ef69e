import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../config';
import { findPostgresBinDir } from './postgres';

/**
 * The two local servers that development and tests run: the Temporal CLI dev
 * server and FerretDB (over PostgreSQL, src/local/postgres.ts). Neither can be downloaded at run time
 * here, so both are built from source with Go into a git-ignored folder and
 * rebuilt only when their pinned version changes.
 */

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const TOOLS_BIN_DIR = path.join(REPO_ROOT, '.tools', 'bin');

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const FERRETDB_WRAPPER_DIR = path.join(REPO_ROOT, 'tools', 'ferretdb');

export type ToolName = 'temporal' | 'ferretdb';

export class ToolError extends Error {
  override readonly name = 'ToolError';
}

interface ToolRecipe {
  /** Variable that points at a binary the user already has. */
  pathVariable: 'TEMPORAL_CLI_PATH' | 'FERRETDB_PATH';
  /** What identifies the build, so a changed pin triggers a rebuild. */
  fingerprint(): string;
  build(binary: string): Promise<void>;
}

const recipes: Record<ToolName, ToolRecipe> = {
  temporal: {
    pathVariable: 'TEMPORAL_CLI_PATH',
    fingerprint: () => TEMPORAL_CLI_MODULE,
    async build(binary) {
      await go(['install', TEMPORAL_CLI_MODULE], { GOBIN: path.dirname(binary) });
    },
  },
  ferretdb: {
    pathVariable: 'FERRETDB_PATH',
    fingerprint: () =>
      createHash('sha256')
        .update(readFileSync(path.join(FERRETDB_WRAPPER_DIR, 'go.sum')))
        .update(readFileSync(path.join(FERRETDB_WRAPPER_DIR, 'main.go')))
        .digest('hex'),
    async build(binary) {
      await go(['build', '-o', binary, '.'], {}, FERRETDB_WRAPPER_DIR);
    },
  },
};

async function go(args: string[], env: Record<string, string>, cwd = REPO_ROOT): Promise<void> {
  try {
    await run('go', args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new ToolError(
        '`go` is not on PATH: install Go 1.25 or newer to build the local Temporal and FerretDB servers',
      );
    }
    throw new ToolError(`go ${args.join(' ')} failed:\n${(err.stderr ?? String(err)).trim()}`);
  }
}

function userPath(name: ToolName, config: Config): string | undefined {
  return name === 'temporal' ? config.tools.temporalCliPath : config.tools.ferretDbPath;
}

function stampPath(binary: string): string {
  return `${binary}.stamp`;
}

function isBuilt(name: ToolName, binary: string): boolean {
  const stamp = stampPath(binary);
  return existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8') === recipes[name].fingerprint();
}

/** The binary to run for `name`: the user's own (from configuration) or ours. */
export function resolveTool(name: ToolName, config: Config): string {
  const own = userPath(name, config);
  if (own !== undefined) {
    const absolute = path.resolve(own);
    if (!existsSync(absolute)) {
      throw new ToolError(`${recipes[name].pathVariable} points at ${absolute}, which does not exist`);
    }
    return absolute;
  }
  const binary = path.join(TOOLS_BIN_DIR, name);
  if (!isBuilt(name, binary)) {
    throw new ToolError(
      `${name} is not built yet: run \`npm run tools\` (needs Go), or set ${recipes[name].pathVariable}`,
    );
  }
  return binary;
}

/** Builds whatever is missing or stale; returns what it built. */
export async function ensureTool(name: ToolName, config: Config, log: (line: string) => void): Promise<string> {
  const own = userPath(name, config);
  if (own !== undefined) return resolveTool(name, config);
  const binary = path.join(TOOLS_BIN_DIR, name);
  if (isBuilt(name, binary)) return binary;
  log(`building ${name} into ${path.relative(REPO_ROOT, binary)} (the first build takes several minutes)…`);
  const started = Date.now();
  await recipes[name].build(binary);
  writeFileSync(stampPath(binary), recipes[name].fingerprint());
  log(`built ${name} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

/**
 * Builds the local Temporal dev server and FerretDB unless configuration says
 * they are not needed: an existing server (TEMPORAL_ADDRESS, MONGODB_URI) or a
 * binary the user already has (TEMPORAL_CLI_PATH, FERRETDB_PATH), and checks
 * that the PostgreSQL FerretDB stores its data in is installed (a system
 * package, not something to build).
 */
export async function ensureLocalTools(config: Config, log: (line: string) => void): Promise<void> {
  if (config.temporal.address === undefined) await ensureTool('temporal', config, log);
  if (config.mongo.uri === undefined) {
    await ensureTool('ferretdb', config, log);
    findPostgresBinDir(config.tools.postgresBinDir);
  }
}
