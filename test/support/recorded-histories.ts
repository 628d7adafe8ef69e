import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/** The workflow histories recorded from real runs (scripts/record-histories.ts), for replay tests. */
export function recordedHistories(): { workflowId: string; history: unknown }[] {
  return readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.json'))
    .map(
      (file) =>
        JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as { workflowId: string; history: unknown },
    );
}
