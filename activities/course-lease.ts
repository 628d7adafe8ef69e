import { ApplicationFailure, Context } from '@temporalio/activity';
import { COURSE_SYNC_BUSY, FAILURE_TYPES, type CourseSyncBusyDetails } from '../src/domain/sync-failure';
import type { CourseLease, Stores } from '../src/store';

/**
 * How long a course that another run is syncing waits before this run tries it again. The sync's
 * retry policy allows five retries, about 100 s in all: longer than the heartbeat timeout (60 s), so a
 * dead worker's lease lapses within them.
 */
export const COURSE_SYNC_BUSY_RETRY_MS = 20_000;

export interface CourseLeaseDeps {
  stores: Pick<Stores, 'courseLeases'>;
  now: () => Date;
  retryMs: number;
}

/**
 * This activity's hold on its course, from before it reads anything to after it has written: no
 * other sync of the course (another run, a replay, the schedule's) reads or writes it meanwhile. It
 * lasts one heartbeat timeout and is renewed with each heartbeat, so a dead worker's hold lapses as
 * soon as Temporal gives its course to another attempt.
 */
export interface HeldCourse {
  /** Called with each heartbeat; never throws, a failed renewal shows in `assertHeld`. */
  renew(): void;
  /** Throws the busy failure once the hold lapsed: another run may be writing the course. */
  assertHeld(): void;
  release(): Promise<void>;
}

/**
 * Takes the course for this activity for `ttlMs` (its heartbeat timeout), or throws the retryable busy
 * failure when another run holds it.
 */
export async function holdCourse(courseId: number, ttlMs: number, deps: CourseLeaseDeps): Promise<HeldCourse> {
  const { stores, now, retryMs } = deps;
  const context = Context.current();
  const { workflowExecution, activityId } = context.info;
  if (workflowExecution === undefined) throw new Error('a course is held by an activity of a workflow run');
  // Retried attempts of one activity are one holder: a retry picks up the hold of the attempt it replaces.
  const { workflowId, runId } = workflowExecution;
  const holder = { key: `${workflowId}/${runId}/${activityId}`, workflowId };
  const claim = await stores.courseLeases.take(courseId, holder, now(), ttlMs);
  if (!claim.taken) {
    const by = claim.heldBy ?? 'another run';
    const message = `Course ${courseId} is being synced by ${by}; this run syncs it once that one is done.`;
    throw courseBusy(courseId, claim.heldBy, retryMs, message);
  }

  let lease: CourseLease | null = claim.lease;
  // At most one renewal at a time, and none left running once released: a late one would revive the lease.
  let renewal: Promise<void> | null = null;
  return {
    renew() {
      const held = lease;
      if (renewal !== null || held === null) return;
      renewal = stores.courseLeases
        .renew(held, now(), ttlMs)
        .then((renewed) => {
          lease = renewed;
        })
        // The hold still runs to its expiry; `assertHeld` tells when it is gone.
        .catch((error: unknown) => context.log.warn('course lease not renewed', { courseId, err: error }))
        .finally(() => {
          renewal = null;
        });
    },
    assertHeld() {
      if (lease !== null && lease.expiresAt > now()) return;
      const message =
        `This run's hold on course ${courseId} lapsed before it wrote (not renewed within the heartbeat ` +
        'timeout: a stalled worker, or the database out of reach): it syncs the course again once it is free.';
      throw courseBusy(courseId, null, retryMs, message);
    },
    async release() {
      await renewal;
      const held = lease;
      lease = null;
      if (held === null) return;
      try {
        await stores.courseLeases.release(held, now());
      } catch (error) {
        // It expires by itself within a heartbeat timeout.
        context.log.warn('course lease not released', { courseId, err: error });
      }
    },
  };
}

/**
 * Retryable, after `retryMs` rather than the Moodle backoff: the course is queued behind the run that
 * holds it, and synced by this run once that one is done.
 */
function courseBusy(courseId: number, heldBy: string | null, retryMs: number, message: string): ApplicationFailure {
  const details: CourseSyncBusyDetails = { code: COURSE_SYNC_BUSY, courseId, heldBy };
  return ApplicationFailure.create({ message, type: FAILURE_TYPES.busy, nextRetryDelay: retryMs, details: [details] });
}
