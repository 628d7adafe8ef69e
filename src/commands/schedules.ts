import { ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleDescription } from '@temporalio/client';
import { SCHEDULE_IDS } from '../temporal/workflow-ids';
import { ensureSchedules, scheduleSettings } from '../temporal/schedules';
import { CommandError } from './exit-codes';
import { printJson, withOps, type Ops } from './ops';

export const SCHEDULE_ID_LIST: string[] = Object.values(SCHEDULE_IDS);

/**
 * A trigger while a run is in progress starts one more run after it, never
 * silently nothing (SKIP, the CLI's default) and never a concurrent twin
 * (ALLOW_ALL, the SDK's default) — docs/temporal.md §1.2, §5.
 */
export const TRIGGER_OVERLAP = ScheduleOverlapPolicy.BUFFER_ONE;

async function eachSchedule(
  ops: Ops<'TEMPORAL_ADDRESS'>,
  scheduleId: string | undefined,
  act: (id: string) => Promise<void>,
): Promise<void> {
  const client = await ops.temporal();
  for (const id of scheduleId === undefined ? SCHEDULE_ID_LIST : [scheduleId]) {
    try {
      await act(id);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      throw new CommandError(
        `schedule ${id} does not exist in namespace ${client.options.namespace}: ` +
          `create it with "sms-sync schedules apply" (every worker does at start)`,
      );
    }
  }
}

function defaultNote(what: string, operator: string): string {
  return `${what} with "sms-sync schedules" by ${operator}`;
}

export async function runSchedulesApply(): Promise<void> {
  await withOps(['TEMPORAL_ADDRESS'], async (ops) => {
    const result = await ensureSchedules(await ops.temporal(), scheduleSettings(ops.config));
    for (const id of result.created) console.log(`Created schedule ${id}`);
    for (const id of result.updated) console.log(`Updated schedule ${id} (its paused state and note kept)`);
  });
}

/** Pause and resume differ only in the handle's method and their words; the note names who did it by default. */
function pauseOrResume(action: 'pause' | 'unpause', done: 'Paused' | 'Resumed') {
  return (scheduleId: string | undefined, options: { reason?: string }): Promise<void> =>
    withOps(['TEMPORAL_ADDRESS'], (ops) =>
      eachSchedule(ops, scheduleId, async (id) => {
        const handle = (await ops.temporal()).schedule.getHandle(id);
        await handle[action](options.reason ?? defaultNote(done, ops.config.operator));
        console.log(`${done} schedule ${id}`);
      }),
    );
}

export const runSchedulesPause = pauseOrResume('pause', 'Paused');
export const runSchedulesResume = pauseOrResume('unpause', 'Resumed');

export async function runSchedulesTrigger(scheduleId: string | undefined): Promise<void> {
  await withOps(['TEMPORAL_ADDRESS'], (ops) =>
    eachSchedule(ops, scheduleId, async (id) => {
      await (await ops.temporal()).schedule.getHandle(id).trigger(TRIGGER_OVERLAP);
      console.log(`Triggered schedule ${id} (a run now, or right after the one in progress)`);
    }),
  );
}

function describedJson(id: string, described: ScheduleDescription) {
  return {
    scheduleId: id,
    paused: described.state.paused,
    note: described.state.note ?? null,
    intervalsMs: (described.spec.intervals ?? []).map((interval) => ({
      every: interval.every,
      offset: interval.offset ?? 0,
    })),
    overlap: described.policies.overlap,
    running: described.info.runningActions.map((action) => action.workflow.workflowId),
    recent: described.info.recentActions.map((action) => ({
      scheduledAt: action.scheduledAt,
      workflowId: 'workflow' in action.action ? action.action.workflow.workflowId : null,
    })),
    // Temporal keeps computing the times of a paused schedule, but none of them will run.
    next: described.state.paused ? [] : described.info.nextActionTimes.slice(0, 3),
  };
}

export async function runSchedulesDescribe(scheduleId: string | undefined, options: { json?: boolean }): Promise<void> {
  await withOps(['TEMPORAL_ADDRESS'], async (ops) => {
    const described: ReturnType<typeof describedJson>[] = [];
    await eachSchedule(ops, scheduleId, async (id) => {
      described.push(describedJson(id, await (await ops.temporal()).schedule.getHandle(id).describe()));
    });
    if (options.json) {
      printJson(described);
      return;
    }
    for (const schedule of described) {
      const every = schedule.intervalsMs
        .map((interval) => `every ${interval.every / 60_000} min (offset ${interval.offset / 60_000} min)`)
        .join(', ');
      console.log(
        `${schedule.scheduleId}: ${schedule.paused ? 'PAUSED' : 'active'}, ${every}, overlap ${schedule.overlap}`,
      );
      if (schedule.note) console.log(`  note: ${schedule.note}`);
      for (const workflowId of schedule.running) console.log(`  running: ${workflowId}`);
      for (const action of schedule.recent.slice(-3))
        console.log(`  recent: ${action.workflowId ?? '?'} (scheduled ${action.scheduledAt.toISOString()})`);
      console.log(
        schedule.paused
          ? '  next: none while paused ("sms-sync schedules resume" to resume)'
          : `  next: ${schedule.next.map((time) => time.toISOString()).join(', ')}`,
      );
    }
  });
}
