/**
 * When a burst of Moodle events for one course (or the course list) becomes a sync: soon after the
 * first event, and then at most once per `minGapMs` while events keep coming, so a class being graded
 * costs a handful of syncs rather than one per grade.
 */
export interface RefreshDebounce {
  /** A sync starts once no event came for this long… */
  quietMs: number;
  /** …or this long after the first event it answers, whichever is sooner. */
  maxDelayMs: number;
  /** Two syncs start at least this far apart: a burst gets one sync early and one per gap after. */
  minGapMs: number;
}

export const DEFAULT_REFRESH_DEBOUNCE: RefreshDebounce = { quietMs: 1_000, maxDelayMs: 5_000, minGapMs: 15_000 };

/** Times in epoch milliseconds. */
export interface RefreshTimes {
  /** The first event not yet answered by a sync that started after it; null when none waits. */
  firstPendingAt: number | null;
  lastEventAt: number | null;
  lastSyncStartedAt: number | null;
}

export const NO_REFRESH_TIMES: RefreshTimes = { firstPendingAt: null, lastEventAt: null, lastSyncStartedAt: null };

/** An event arrived at `at`. */
export function withEvent(times: RefreshTimes, at: number): RefreshTimes {
  return { ...times, firstPendingAt: times.firstPendingAt ?? at, lastEventAt: at };
}

/** A sync started at `at`: it reads Moodle after every event so far, so none of them waits any more. */
export function withSyncStarted(times: RefreshTimes, at: number): RefreshTimes {
  return { firstPendingAt: null, lastEventAt: times.lastEventAt, lastSyncStartedAt: at };
}

/** When the next sync is due; null when no event waits for one. */
export function nextSyncAt(times: RefreshTimes, debounce: RefreshDebounce): number | null {
  const { firstPendingAt, lastEventAt, lastSyncStartedAt } = times;
  if (firstPendingAt === null) return null;
  const settled = Math.min((lastEventAt ?? firstPendingAt) + debounce.quietMs, firstPendingAt + debounce.maxDelayMs);
  return lastSyncStartedAt === null ? settled : Math.max(settled, lastSyncStartedAt + debounce.minGapMs);
}
