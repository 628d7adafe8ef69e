import {
  NO_REFRESH_TIMES,
  nextSyncAt,
  withEvent,
  withSyncStarted,
  type RefreshDebounce,
  type RefreshTimes,
} from '../../../src/domain/refresh-debounce';

const DEBOUNCE: RefreshDebounce = { quietMs: 1_000, maxDelayMs: 5_000, minGapMs: 15_000 };

/** Replays events (ms) through the debouncer, syncing whenever one is due; returns when syncs started. */
function simulate(eventTimes: readonly number[], until: number): number[] {
  let times: RefreshTimes = NO_REFRESH_TIMES;
  const syncs: number[] = [];
  const pending = [...eventTimes];
  for (let now = 0; now <= until; now += 10) {
    while (pending.length > 0 && pending[0]! <= now) times = withEvent(times, pending.shift()!);
    const due = nextSyncAt(times, DEBOUNCE);
    if (due !== null && due <= now) {
      syncs.push(now);
      times = withSyncStarted(times, now);
    }
  }
  return syncs;
}

describe('refresh debouncing', () => {
  it('waits for nothing when no event is pending', () => {
    expect(nextSyncAt(NO_REFRESH_TIMES, DEBOUNCE)).toBeNull();
  });

  it('syncs one quiet period after a lone event', () => {
    expect(simulate([2_000], 60_000)).toEqual([3_000]);
  });

  it('syncs a burst once, a quiet period after its last event', () => {
    expect(simulate([0, 100, 300, 600], 60_000)).toEqual([1_600]);
  });

  it('syncs no later than the longest delay after the first event while events keep coming', () => {
    const everyHalfSecond = Array.from({ length: 40 }, (_, index) => index * 500);
    expect(simulate(everyHalfSecond, 120_000)[0]).toBe(5_000);
  });

  it('spaces the syncs of a long burst by the gap: 20 s of events take two syncs', () => {
    const burst = Array.from({ length: 2_000 }, (_, index) => index * 10);
    expect(simulate(burst, 120_000)).toEqual([5_000, 20_000]);
  });

  it('reads a burst that outlasts a gap by one more sync after it ends', () => {
    const burst = Array.from({ length: 220 }, (_, index) => 300 + index * 100);
    // Events from 0.3 s to 22.2 s: one sync 5 s in, one a gap later, and one for what came after it.
    expect(simulate(burst, 120_000)).toEqual([5_300, 20_300, 35_300]);
  });

  it('answers an event soon after a sync only once the gap has passed', () => {
    expect(simulate([0, 3_000], 60_000)).toEqual([1_000, 16_000]);
  });
});
