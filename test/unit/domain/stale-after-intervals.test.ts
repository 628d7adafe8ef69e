import { STALE_AFTER_MS, staleAfterForIntervals } from '../../../src/domain/connection-state';

const MINUTE = 60_000;

describe('staleAfterForIntervals', () => {
  it.each([
    ['the default schedules', [30, 30], 30],
    ['shorter intervals', [5, 10], 30],
    ['hourly syncs', [60, 60], 60],
    ['hourly courses, enrollments every two hours', [60, 120], 60],
  ])('gives %s the longer of 30 minutes and the shortest interval', (_name, intervals, minutes) => {
    expect(staleAfterForIntervals(intervals.map((interval) => interval * MINUTE))).toBe(minutes * MINUTE);
  });

  it('never goes below the product’s 30 minutes', () => {
    expect(STALE_AFTER_MS).toBe(30 * MINUTE);
  });
});
