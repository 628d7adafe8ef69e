import { spawn } from 'node:child_process';
import { cp, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * `docker build` for this project's Dockerfile, done without a Docker engine: each stage gets a
 * folder that stands for its file system, COPY copies into it (from the build context, minus what
 * .dockerignore leaves out, or from an earlier stage's folder) and RUN runs with `sh -c` in it.
 * The base image is the machine itself (its node and npm), so this proves the recipe's file set
 * and steps, not the base image. Only the instructions this Dockerfile uses are understood; any
 * other fails the parse, so a step added to the recipe can never be silently skipped.
 */

export type Instruction =
  | { line: number; kind: 'WORKDIR'; path: string }
  | { line: number; kind: 'COPY'; from?: string; sources: string[]; destination: string }
  | { line: number; kind: 'RUN'; command: string }
  | { line: number; kind: 'ENV'; variables: Record<string, string> }
  | { line: number; kind: 'USER'; user: string }
  | { line: number; kind: 'ENTRYPOINT' | 'CMD'; args: string[] };

export interface Stage {
  line: number;
  image: string;
  name?: string;
  instructions: Instruction[];
}

export class DockerfileError extends Error {
  override readonly name = 'DockerfileError';
}

const TEACH = 'teach test/support/dockerfile.ts to do it, so that the image test keeps doing all the build does';

function fail(line: number, text: string, why: string): never {
  throw new DockerfileError(`Dockerfile line ${line}: ${why} in \`${text}\`; ${TEACH}`);
}

/** Instructions with their continuation lines joined; comments (parser directives too) dropped. */
function logicalLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let pending: { line: number; parts: string[] } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    // A different escape character would change how every following line splits.
    if (/^#\s*escape\s*=/i.test(trimmed)) fail(index + 1, trimmed, 'an escape directive is not understood');
    // Docker drops comment lines even in the middle of a continued instruction.
    if (trimmed.startsWith('#') || (trimmed === '' && pending === undefined)) return;
    const continued = trimmed.endsWith('\\');
    pending ??= { line: index + 1, parts: [] };
    pending.parts.push(continued ? trimmed.slice(0, -1) : trimmed);
    if (!continued) {
      lines.push({ line: pending.line, text: pending.parts.join(' ').trim() });
      pending = undefined;
    }
  });
  if (pending) fail(pending.line, pending.parts.join(' '), 'the file ends inside a continued line');
  return lines;
}

/** Whitespace-separated words, refusing what the shell-less Docker syntax would read differently. */
function plainWords(line: number, text: string, rest: string): string[] {
  if (/["'$\\]/.test(rest)) fail(line, text, 'quotes, variables and escapes are not understood');
  return rest.split(/\s+/).filter(Boolean);
}

function execForm(line: number, text: string, rest: string): string[] {
  let args: unknown;
  try {
    args = JSON.parse(rest);
  } catch {
    fail(line, text, 'only the exec (JSON array) form is understood');
  }
  if (!Array.isArray(args) || args.length === 0 || !args.every((arg) => typeof arg === 'string')) {
    fail(line, text, 'expected a non-empty JSON array of strings');
  }
  return args as string[];
}

function parseInstruction(line: number, text: string): Instruction | { kind: 'FROM'; image: string; name?: string } {
  const [, word = '', rest = ''] = /^(\S+)\s*([\s\S]*)$/.exec(text) ?? [];
  const keyword = word.toUpperCase();
  switch (keyword) {
    case 'FROM': {
      const words = plainWords(line, text, rest);
      if (words.length === 1 && !words[0]!.startsWith('--')) return { kind: 'FROM', image: words[0]! };
      if (words.length === 3 && words[1]!.toUpperCase() === 'AS')
        return { kind: 'FROM', image: words[0]!, name: words[2] };
      return fail(line, text, 'expected `FROM image` or `FROM image AS name`');
    }
    case 'WORKDIR':
    case 'USER': {
      const words = plainWords(line, text, rest);
      if (words.length !== 1) fail(line, text, `expected one argument to ${keyword}`);
      return keyword === 'WORKDIR'
        ? { line, kind: 'WORKDIR', path: words[0]! }
        : { line, kind: 'USER', user: words[0]! };
    }
    case 'COPY': {
      if (rest.startsWith('[')) fail(line, text, 'the JSON form of COPY is not understood');
      const words = plainWords(line, text, rest);
      let from: string | undefined;
      while (words[0]?.startsWith('--')) {
        const flag = words.shift()!;
        const match = /^--from=(\S+)$/.exec(flag);
        if (!match) fail(line, text, `the COPY flag ${flag} is not understood`);
        from = match[1];
      }
      if (words.length < 2) fail(line, text, 'expected COPY source... destination');
      if (words.some((word) => /[*?[\]]/.test(word))) fail(line, text, 'wildcards are not understood');
      const destination = words.pop()!;
      // Docker refuses the same: several sources only go into a folder.
      if (words.length > 1 && !destination.endsWith('/'))
        fail(line, text, 'several sources need a destination ending in /');
      return { line, kind: 'COPY', from, sources: words, destination };
    }
    case 'RUN':
      if (rest.startsWith('[')) fail(line, text, 'the exec form of RUN is not understood');
      if (rest.startsWith('--')) fail(line, text, 'RUN flags (--mount, --network, ...) are not understood');
      if (rest === '') fail(line, text, 'RUN needs a command');
      return { line, kind: 'RUN', command: rest };
    case 'ENV': {
      const words = plainWords(line, text, rest);
      if (words.length === 0 || !words.every((word) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(word))) {
        fail(line, text, 'only ENV NAME=value ... is understood');
      }
      return { line, kind: 'ENV', variables: Object.fromEntries(words.map((word) => word.split(/=(.*)/s, 2))) };
    }
    case 'ENTRYPOINT':
    case 'CMD':
      return { line, kind: keyword, args: execForm(line, text, rest) };
    default:
      return fail(line, text, `${keyword} is not understood`);
  }
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const { line, text: instructionText } of logicalLines(text)) {
    const parsed = parseInstruction(line, instructionText);
    if (parsed.kind === 'FROM') {
      stages.push({ line, image: parsed.image, name: parsed.name, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) fail(line, instructionText, 'an instruction before the first FROM');
    stage.instructions.push(parsed);
  }
  if (stages.length === 0) throw new DockerfileError(`the Dockerfile has no FROM; ${TEACH}`);
  return stages;
}

function dockerignorePattern(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '*' && pattern[index + 1] === '*') {
      index++;
      if (pattern[index + 1] === '/') {
        index++;
        source += '(?:.*/)?';
      } else {
        source += '.*';
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else if ('[]\\'.includes(char)) {
      throw new DockerfileError(`.dockerignore: character classes and escapes are not understood in \`${pattern}\``);
    } else {
      source += char.replace(/[.+^${}()|]/g, '\\$&');
    }
  }
  // Leaving out a folder leaves out everything in it.
  return new RegExp(`^${source}(?:/.*)?$`);
}

/** Whether .dockerignore leaves a context path (relative, with /) out of the build context. */
export function dockerignoreMatcher(text: string): (relativePath: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const cleaned = path.posix.normalize((include ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, '');
      return { include, pattern: dockerignorePattern(cleaned) };
    });
  return (relativePath) => {
    let ignored = false;
    // As in Docker, the last rule that matches decides.
    for (const rule of rules) if (rule.pattern.test(relativePath)) ignored = !rule.include;
    return ignored;
  };
}

export interface BuiltStage {
  readonly stage: Stage;
  /** The folder standing for the stage's file system root. */
  readonly root: string;
  /** The container path of the last WORKDIR. */
  readonly workdir: string;
  readonly env: Record<string, string>;
  readonly user?: string;
  /** Empty when the stage sets none: the base image's is not known here. */
  readonly entrypoint: string[];
  readonly cmd: string[];
}

export interface BuildStageOptions {
  /** The build context (the repository). */
  context: string;
  /** An empty folder that becomes the stage's root. */
  root: string;
  /** Earlier stages by name, for COPY --from. */
  stages: ReadonlyMap<string, BuiltStage>;
  /** What RUN steps see besides the stage's ENV: the base image's environment. */
  env: Record<string, string>;
  ignored: (relativePath: string) => boolean;
  /** No RUN step may go past this (Date.now() value). */
  deadline: number;
  stepTimeoutMs: number;
  /** Told each instruction once it is done, with how long it took. */
  onStep?: (instruction: Instruction, ms: number) => void;
}

/** A container path (absolute, or relative to the WORKDIR) in a stage's folder. */
export function hostPath(root: string, workdir: string, containerPath: string): string {
  return path.join(root, path.posix.resolve(workdir, containerPath));
}

async function copy(instruction: Extract<Instruction, { kind: 'COPY' }>, workdir: string, options: BuildStageOptions) {
  const text = `COPY ${instruction.from ? `--from=${instruction.from} ` : ''}${instruction.sources.join(' ')}`;
  const intoFolder = instruction.sources.length > 1 || instruction.destination.endsWith('/');
  const destination = hostPath(options.root, workdir, instruction.destination);
  const from = instruction.from === undefined ? undefined : options.stages.get(instruction.from);
  if (instruction.from !== undefined && !from)
    fail(instruction.line, text, `there is no earlier stage ${instruction.from}`);
  for (const source of instruction.sources) {
    let sourcePath: string;
    if (from) {
      sourcePath = path.join(from.root, path.posix.resolve('/', source));
    } else {
      const relative = path.posix.normalize(source).replace(/^\/+/, '');
      if (relative.startsWith('..')) fail(instruction.line, text, `${source} is outside the build context`);
      if (options.ignored(relative)) fail(instruction.line, text, `.dockerignore leaves ${source} out of the context`);
      sourcePath = path.join(options.context, relative);
    }
    const info = await stat(sourcePath).catch(() => undefined);
    if (!info) {
      const where = from ? `stage ${instruction.from}` : 'the build context';
      throw new DockerfileError(`Dockerfile line ${instruction.line}: \`${text}\`: ${source} not found in ${where}`);
    }
    // A folder's contents go into the destination; a file goes into it when it names a folder.
    const target = !info.isDirectory() && intoFolder ? path.join(destination, path.basename(sourcePath)) : destination;
    await mkdir(info.isDirectory() ? target : path.dirname(target), { recursive: true });
    await cp(sourcePath, target, {
      recursive: true,
      force: true,
      // The image keeps relative links (node_modules/.bin) as they are, not pointing into this stage's folder.
      verbatimSymlinks: true,
      filter: from
        ? undefined
        : (file) => !options.ignored(path.relative(options.context, file).split(path.sep).join('/')),
    });
  }
}

/** Output of a step, kept short for error messages. */
const OUTPUT_TAIL_CHARS = 6_000;

export interface StepResult {
  code: number | null;
  output: string;
}

/**
 * Runs `command` under `sh -c` in its own process group, killed whole when it outlives `timeoutMs`
 * (npm and tsc run as its children).
 */
export function runShell(
  command: string,
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<StepResult & { timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    // Docker runs RUN steps with umask 022; the run stage's USER reads what root wrote.
    const child = spawn('sh', ['-c', `umask 022\n${command}`], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** Marked lines, so that Jest does not take the step's own stack traces for the test's. */
function quoted(output: string): string {
  return output
    .trimEnd()
    .split('\n')
    .map((line) => `  | ${line}`)
    .join('\n');
}

/** Does what `docker build` does for one stage, in `options.root`. */
export async function buildStage(stage: Stage, options: BuildStageOptions): Promise<BuiltStage> {
  let workdir = '/';
  let user: string | undefined;
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  let cmdSetHere = false;
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions) {
    const started = Date.now();
    switch (instruction.kind) {
      case 'WORKDIR':
        workdir = path.posix.resolve(workdir, instruction.path);
        await mkdir(hostPath(options.root, workdir, '.'), { recursive: true });
        break;
      case 'COPY':
        await copy(instruction, workdir, options);
        break;
      case 'RUN': {
        const timeoutMs = Math.min(options.stepTimeoutMs, options.deadline - Date.now());
        if (timeoutMs <= 0) throw new DockerfileError(`Dockerfile line ${instruction.line}: no time left for it`);
        const result = await runShell(instruction.command, {
          cwd: hostPath(options.root, workdir, '.'),
          env: { ...options.env, ...env },
          timeoutMs,
        });
        if (result.code !== 0) {
          const how = result.timedOut
            ? `was still running after ${Math.round(timeoutMs / 1000)} s`
            : `exited ${result.code}`;
          const step = `Dockerfile line ${instruction.line}: \`RUN ${instruction.command}\``;
          throw new DockerfileError(`${step} ${how}; its output ended:\n${quoted(result.output)}`);
        }
        break;
      }
      case 'ENV':
        Object.assign(env, instruction.variables);
        break;
      case 'USER':
        user = instruction.user;
        break;
      case 'ENTRYPOINT':
        entrypoint = instruction.args;
        // Docker drops the base image's CMD once ENTRYPOINT is set, not one this stage set.
        if (!cmdSetHere) cmd = [];
        break;
      case 'CMD':
        cmd = instruction.args;
        cmdSetHere = true;
        break;
    }
    options.onStep?.(instruction, Date.now() - started);
  }
  return { stage, root: options.root, workdir, env, user, entrypoint, cmd };
}

/**
 * Files and folders under `folder` that a non-root USER could not read: COPY keeps the modes, and
 * the image's files belong to root.
 */
export async function unreadableByOthers(folder: string): Promise<string[]> {
  const unreadable: string[] = [];
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { mode } = await lstat(file);
    const needed = entry.isDirectory() ? 0o005 : 0o004;
    if ((mode & needed) !== needed) unreadable.push(path.relative(folder, file));
  }
  return unreadable;
}
