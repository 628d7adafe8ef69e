import { enrollmentSyncWorkflow } from '../../../workflows';
import { desiredSchedules } from '../../../src/temporal/schedules';

describe('desiredSchedules', () => {
  const settings = {
    taskQueue: 'q',
    courseSyncIntervalMs: 30 * 60_000,
    enrollmentSyncIntervalMs: 30 * 60_000,
    courseConcurrency: 6,
  };

  it('runs the enrollment sync half an interval after the course sync, skipping overlaps', () => {
    const [course, enrollment] = desiredSchedules(settings);
    expect(course?.spec.intervals).toEqual([{ every: 30 * 60_000 }]);
    expect(enrollment).toMatchObject({
      scheduleId: 'enrollment-sync',
      spec: { intervals: [{ every: 30 * 60_000, offset: 15 * 60_000 }] },
      policies: { overlap: 'SKIP' },
    });
  });

  it('passes the course concurrency to every scheduled enrollment sync', () => {
    const [, enrollment] = desiredSchedules(settings);
    expect(enrollment?.action).toMatchObject({
      workflowType: enrollmentSyncWorkflow,
      workflowId: 'enrollment-sync',
      taskQueue: 'q',
      args: [{ trigger: 'SCHEDULE', concurrency: 6 }],
    });
  });
});
