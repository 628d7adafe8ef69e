import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundlePath } from '../support/environment';

/**
 * Determinism: histories recorded from earlier runs (scripts/record-histories.ts)
 * must replay on the current workflow code. A failure here means a change would
 * break runs in flight: make it compatible (patched()) or ship it on a new task queue.
 */
const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

function recordedHistories() {
  return readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.json'))
    .map(
      (file) =>
        JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as { workflowId: string; history: unknown },
    );
}

describe('recorded workflow histories', () => {
  it('cover the course sync, its failure path and the batched enrollment sync', () => {
    expect(
      recordedHistories()
        .map((recorded) => recorded.workflowId)
        .sort(),
    ).toEqual(['course-sync', 'course-sync-token-revoked', 'enrollment-sync', 'enrollment-sync-batch-1']);
  });

  it('replay on the current workflow code without non-determinism', async () => {
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: workflowBundlePath() } },
      recordedHistories(),
    )) {
      results.push({ workflowId: result.workflowId, error: result.error?.message });
    }
    expect(results).toHaveLength(4);
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
  });

  it('would catch a change that breaks determinism', async () => {
    const recorded = recordedHistories().find((candidate) => candidate.workflowId === 'course-sync')!;
    // As if the workflow's first activity had been renamed since the run was recorded.
    const altered = JSON.parse(
      JSON.stringify(recorded.history).replace('"startSyncRun"', '"renamedActivity"'),
    ) as unknown;
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: workflowBundlePath() } }, altered, recorded.workflowId),
    ).rejects.toThrow(/nondetermin/i);
  });
});
