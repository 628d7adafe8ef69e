import { ScheduleNotFoundError } from '@temporalio/client';
import { SCHEDULE_CATCHUP_WINDOW_MS, SCHEDULE_IDS } from '../../src/temporal/workflow-ids';
import { ensureSchedules, type ScheduleSettings } from '../../src/temporal/schedules';
import { openTemporal, type TestTemporal } from '../support/environment';

const SCHEDULE_ID_LIST = Object.values(SCHEDULE_IDS);

describe('the sync schedules', () => {
  let temporal: TestTemporal;

  beforeAll(async () => {
    temporal = await openTemporal();
  });

  afterAll(async () => {
    for (const id of SCHEDULE_ID_LIST) {
      await temporal.client.schedule
        .getHandle(id)
        .delete()
        .catch((error: unknown) => {
          if (!(error instanceof ScheduleNotFoundError)) throw error;
        });
    }
    await temporal?.close();
  });

  it('are created once with the configured intervals, and a second start keeps an operator’s pause', async () => {
    const settings: ScheduleSettings = {
      taskQueue: temporal.taskQueue,
      courseSyncIntervalMs: 30 * 60_000,
      enrollmentSyncIntervalMs: 20 * 60_000,
      courseConcurrency: 4,
    };
    expect(await ensureSchedules(temporal.client, settings)).toEqual({ created: SCHEDULE_ID_LIST, updated: [] });

    const course = temporal.client.schedule.getHandle(SCHEDULE_IDS.courseSync);
    const enrollment = temporal.client.schedule.getHandle(SCHEDULE_IDS.enrollmentSync);
    const described = await course.describe();
    expect(described.spec.intervals?.[0]?.every).toBe(30 * 60_000);
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.policies.catchupWindow).toBe(SCHEDULE_CATCHUP_WINDOW_MS);
    expect(described.action).toMatchObject({ workflowType: 'courseSyncWorkflow', taskQueue: temporal.taskQueue });
    const enrollmentDescribed = await enrollment.describe();
    expect(enrollmentDescribed.spec.intervals?.[0]?.every).toBe(20 * 60_000);
    expect(enrollmentDescribed.policies.overlap).toBe('SKIP');
    expect(enrollmentDescribed.policies.catchupWindow).toBe(SCHEDULE_CATCHUP_WINDOW_MS);
    expect(enrollmentDescribed.action).toMatchObject({ workflowType: 'enrollmentSyncWorkflow' });

    await course.pause('maintenance window');
    const second = await ensureSchedules(temporal.client, { ...settings, courseSyncIntervalMs: 15 * 60_000 });
    expect(second).toEqual({ created: [], updated: SCHEDULE_ID_LIST });

    const after = await course.describe();
    expect(after.state.paused).toBe(true);
    expect(after.state.note).toBe('maintenance window');
    expect(after.spec.intervals?.[0]?.every).toBe(15 * 60_000);
    expect((await enrollment.describe()).state.paused).toBe(false);
  });
});
