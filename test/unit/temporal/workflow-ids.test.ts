import { courseSet, enrollmentSyncWorkflowId } from '../../../src/temporal/workflow-ids';

/** The on-demand ids name what a run syncs, never when: identical requests meet on one id and join one run. */
describe('enrollment sync workflow ids', () => {
  it('names every course by trigger alone, so all-course requests of one kind share one id', () => {
    expect(enrollmentSyncWorkflowId('MANUAL')).toBe('enrollment-sync-manual-all');
    expect(enrollmentSyncWorkflowId('REPLAY')).toBe('enrollment-sync-replay-all');
  });

  it('names one course the same whatever started it', () => {
    expect(enrollmentSyncWorkflowId('MANUAL', [42])).toBe('enrollment-sync-course-42');
    expect(enrollmentSyncWorkflowId('REPLAY', [42])).toBe('enrollment-sync-course-42');
  });

  it('names a set of courses by its ids, whatever order or repeats a request gave them in', () => {
    expect(enrollmentSyncWorkflowId('MANUAL', courseSet([104, 101, 104]))).toBe(
      'enrollment-sync-manual-courses-101-104',
    );
    expect(enrollmentSyncWorkflowId('REPLAY', courseSet([7, 3, 12]))).toBe('enrollment-sync-replay-courses-3-7-12');
    expect(courseSet([104, 101, 104, 9])).toEqual([9, 101, 104]);
  });

  it('names a long set by its size and a hash of it: short, stable, and different for another set', () => {
    const many = courseSet(Array.from({ length: 40 }, (_, index) => 1000 + index));
    const id = enrollmentSyncWorkflowId('MANUAL', many);
    expect(id).toMatch(/^enrollment-sync-manual-courses-40-[0-9a-f]{12}$/);
    expect(enrollmentSyncWorkflowId('MANUAL', courseSet([...many].reverse()))).toBe(id);
    expect(enrollmentSyncWorkflowId('MANUAL', many.slice(1))).not.toBe(id);
    expect(enrollmentSyncWorkflowId('REPLAY', many)).toMatch(/^enrollment-sync-replay-courses-40-/);
  });

  it('names sets up to the length limit in full', () => {
    const ids = [100001, 100002, 100003, 100004, 100005, 100006, 100007, 100008];
    expect(enrollmentSyncWorkflowId('MANUAL', ids)).toBe(`enrollment-sync-manual-courses-${ids.join('-')}`);
    expect(enrollmentSyncWorkflowId('MANUAL', [...ids, 100009])).toMatch(/^enrollment-sync-manual-courses-9-/);
  });
});
