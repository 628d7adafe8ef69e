import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * What a running `sms-sync dev` tells the other commands started from the same
 * folder (`status`, `sync`, `replay`, `schedules`, …): where its services are.
 * The configuration module merges `defaults` under the environment, so a
 * variable that is set always wins. The file lives in the git-ignored state
 * folder, is readable by its owner only, and is removed when `dev` stops; one
 * left behind by a killed `dev` is ignored because its pid is gone.
 */

export const DEV_STATE_FILE = 'dev-state.json';

/** The variables `dev` decides and the other commands need. */
const DEV_DEFAULT_VARIABLES = [
  'MONGODB_URI',
  'MONGODB_DB',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'MOODLE_URL',
  'MOODLE_TOKEN',
  'MOODLE_WEBHOOK_SECRET',
] as const;

export type DevDefaultVariable = (typeof DEV_DEFAULT_VARIABLES)[number];

const devStateSchema = z.object({
  /** The `dev` process; the file counts only while it lives. */
  pid: z.number().int().positive(),
  /** Servers `dev` started (Temporal dev server, FerretDB), for tools that check nothing is left. */
  servicePids: z.array(z.number().int()),
  temporalUiUrl: z.string().optional(),
  graphqlUrl: z.string(),
  defaults: z.partialRecord(z.enum(DEV_DEFAULT_VARIABLES), z.string()),
});

export type DevState = z.infer<typeof devStateSchema>;

/** Whether a process with this pid exists (EPERM: it does, but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function devStatePath(stateDir: string): string {
  return path.resolve(stateDir, DEV_STATE_FILE);
}

/** The state of a `dev` that is still running, if any; a missing, unreadable or stale file is none. */
export function readDevState(stateDir: string): DevState | undefined {
  let text: string;
  try {
    text = readFileSync(devStatePath(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  let parsed: ReturnType<typeof devStateSchema.safeParse>;
  try {
    parsed = devStateSchema.safeParse(JSON.parse(text));
  } catch {
    return undefined;
  }
  return parsed.success && isProcessAlive(parsed.data.pid) ? parsed.data : undefined;
}

/** Written atomically (a reader never sees half a file) and readable by its owner only: it may hold a token. */
export function writeDevState(stateDir: string, state: DevState): void {
  mkdirSync(stateDir, { recursive: true });
  const file = devStatePath(stateDir);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
}

/** Removes the file if it is this process's own (a second `dev` must not delete the first one's). */
export function removeDevState(stateDir: string): void {
  const state = readDevState(stateDir);
  if (state?.pid === process.pid) rmSync(devStatePath(stateDir), { force: true });
}
