import {
  condition,
  continueAsNew,
  defineSignal,
  executeChild,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  DEFAULT_REFRESH_DEBOUNCE,
  NO_REFRESH_TIMES,
  nextSyncAt,
  withEvent,
  withSyncStarted,
  type RefreshDebounce,
  type RefreshTimes,
} from '../src/domain/refresh-debounce';
import type { RefreshTarget } from '../src/domain/moodle-events';
import { FAILURE_TYPES } from '../src/domain/sync-failure';
import { courseSyncWorkflow } from './course-sync';
import { describeFailure } from './failures';
import {
  BOOKKEEPING_START_TO_CLOSE_MS,
  COURSE_ENROLLMENT_SYNC_HEARTBEAT_MS,
  COURSE_ENROLLMENT_SYNC_START_TO_CLOSE_MS,
  MOODLE_ACTIVITY_RETRY,
  REFRESH_HISTORY_LIMIT,
  REFRESH_IDLE_MS,
} from './settings';

/** A Moodle event, by name only: its payload (and the secret it came with) never enters a history. */
export interface MoodleEventHint {
  eventName: string;
}

export const moodleEventSignal = defineSignal<[MoodleEventHint]>('moodleEvent');

export interface MoodleEventRefreshInput {
  target: RefreshTarget;
  /** DEFAULT_REFRESH_DEBOUNCE unless given (tests, the freshness benchmark). */
  debounce?: RefreshDebounce;
  /** How long the workflow waits for another event once nothing is pending, before it ends. */
  idleMs?: number;
  /** Carried over by continue-as-new. */
  carried?: { times: RefreshTimes; events: number; syncs: number };
}

export interface MoodleEventRefreshResult {
  events: number;
  syncs: number;
}

const { recordCourseFailure } = proxyActivities<Activities>({ startToCloseTimeout: BOOKKEEPING_START_TO_CLOSE_MS });
const { syncCourseEnrollments } = proxyActivities<Activities>({
  startToCloseTimeout: COURSE_ENROLLMENT_SYNC_START_TO_CLOSE_MS,
  heartbeatTimeout: COURSE_ENROLLMENT_SYNC_HEARTBEAT_MS,
  retry: MOODLE_ACTIVITY_RETRY,
});

/**
 * Turns the events Moodle sends about one target into few syncs of it (src/domain/refresh-debounce.ts):
 * one workflow per target, which events signal (signal-with-start), so a burst from any number of API
 * processes lands in one place. Timers and signals are durable: a worker restart delays a sync, and loses
 * no event. It ends after REFRESH_IDLE_MS without events; the next event starts it again.
 */
export async function moodleEventRefreshWorkflow(input: MoodleEventRefreshInput): Promise<MoodleEventRefreshResult> {
  const debounce = input.debounce ?? DEFAULT_REFRESH_DEBOUNCE;
  const idleMs = input.idleMs ?? REFRESH_IDLE_MS;
  let { times, events, syncs } = input.carried ?? { times: NO_REFRESH_TIMES, events: 0, syncs: 0 };

  setHandler(moodleEventSignal, () => {
    times = withEvent(times, Date.now());
    events += 1;
  });

  for (;;) {
    if (!(await condition(() => times.firstPendingAt !== null, idleMs))) break;
    await untilDue(
      () => times,
      debounce,
      () => events,
    );
    times = withSyncStarted(times, Date.now());
    syncs += 1;
    if (!(await refresh(input.target))) times = withEvent(times, Date.now());
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > REFRESH_HISTORY_LIMIT) {
      await continueAsNew<typeof moodleEventRefreshWorkflow>({ ...input, carried: { times, events, syncs } });
    }
  }
  return { events, syncs };
}

/** Sleeps until the next sync is due, reconsidering whenever another event arrives. */
async function untilDue(times: () => RefreshTimes, debounce: RefreshDebounce, events: () => number): Promise<void> {
  for (;;) {
    const due = nextSyncAt(times(), debounce);
    const waitMs = due === null ? 0 : due - Date.now();
    if (waitMs <= 0) return;
    const seen = events();
    await condition(() => events() !== seen, waitMs);
  }
}

/**
 * Runs one sync of the target. False when it must run again: the course was held by another sync through
 * all of this one's tries, which may have read Moodle before the event.
 */
async function refresh(target: RefreshTarget): Promise<boolean> {
  if (target.kind === 'COURSE_LIST') {
    try {
      await executeChild(courseSyncWorkflow, {
        workflowId: `${workflowInfo().workflowId}-sync-${new Date().toISOString()}`,
        args: [{ trigger: 'MOODLE_EVENT' }],
      });
    } catch (error) {
      // The course sync recorded its failure; the schedule, or the next event, tries again.
      log.warn('course list refresh failed', { message: describeFailure(error).message });
    }
    return true;
  }
  const { courseId } = target;
  try {
    await syncCourseEnrollments({ courseId, trigger: 'MOODLE_EVENT' });
    return true;
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.type === FAILURE_TYPES.busy) return false;
    await recordCourseFailure({ courseId, code: failure.code, message: failure.message, trigger: 'MOODLE_EVENT' });
    return true;
  }
}
