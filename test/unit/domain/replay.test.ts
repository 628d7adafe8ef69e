import { isEmptyPlan, planReplay, type ReplayableError } from '../../../src/domain/replay';

const since = new Date('2026-11-28T09:00:00Z');
const after = new Date('2026-11-28T10:00:00Z');
const before = new Date('2026-11-28T08:00:00Z');

const error = (scope: string, courseId: number | null, lastSeenAt = after): ReplayableError => ({
  scope,
  courseId,
  lastSeenAt,
});

describe('planReplay', () => {
  it('re-runs nothing when nothing failed', () => {
    const plan = planReplay([], { since });
    expect(plan).toEqual({ fullCourseSync: false, fullEnrollmentSync: false, courseIds: [] });
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('re-runs the whole course sync after a failed course-sync run', () => {
    expect(planReplay([error('course-sync', null)], { since })).toEqual({
      fullCourseSync: true,
      fullEnrollmentSync: false,
      courseIds: [],
    });
  });

  it('re-runs only the courses whose enrollment sync failed, each once, in order', () => {
    const plan = planReplay([error('course:42', 42), error('enrollment:abc', 7), error('enrollment:def', 42)], {
      since,
    });
    expect(plan).toEqual({ fullCourseSync: false, fullEnrollmentSync: false, courseIds: [7, 42] });
  });

  it('re-runs the whole enrollment sync when a run failed as a whole, which covers the single courses', () => {
    const plan = planReplay([error('enrollment-sync', null), error('course:42', 42)], { since });
    expect(plan).toEqual({ fullCourseSync: false, fullEnrollmentSync: true, courseIds: [] });
  });

  it('ignores failures older than `since` and held deletions, which need a confirmation instead', () => {
    const plan = planReplay([error('course:42', 42, before), error('course-sync:deletions', null)], { since });
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('narrows to the chosen courses and then never runs a full sync', () => {
    const plan = planReplay(
      [error('course-sync', null), error('enrollment-sync', null), error('course:42', 42), error('course:7', 7)],
      {
        since,
        courseIds: [42],
      },
    );
    expect(plan).toEqual({ fullCourseSync: false, fullEnrollmentSync: false, courseIds: [42] });
  });
});
