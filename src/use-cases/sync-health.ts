import { staleCutoff } from '../domain/grade-staleness';
import type { SyncHealthFigures } from '../metrics/health';
import type { Stores } from '../store';
import { readSyncStatus, type SyncIntervals } from './sync-status';

/**
 * What the metrics report of sync health at scrape time: the sync status (`readSyncStatus`, as
 * `sms-sync status` and the API show it), the stale courses and the held course deletions. A handful
 * of indexed reads, cheap enough for every scrape. Open errors are those of courses and enrollments
 * (a failed run's own error shows in the connection state).
 */
export async function readSyncHealth(stores: Stores, now: Date, intervals: SyncIntervals): Promise<SyncHealthFigures> {
  // The gauge keeps its narrower, cheaper count (OPEN courses synced at least once): `readGradesFreshness`
  // reads every live course, which the GraphQL `syncStatus` and `sms-sync status` pay for when asked.
  const [status, staleCourses, held] = await Promise.all([
    readSyncStatus(stores, now, intervals),
    stores.courses.countStale(staleCutoff(now, intervals.enrollmentIntervalMs)),
    stores.syncErrors.heldCourseDeletions(),
  ]);
  return {
    runs: {
      COURSE: { lastSuccessAt: status.lastSuccessAt.COURSE, lastStartAt: status.lastCourseSync?.startedAt ?? null },
      ENROLLMENT: {
        lastSuccessAt: status.lastSuccessAt.ENROLLMENT,
        lastStartAt: status.lastEnrollmentSync?.startedAt ?? null,
      },
    },
    connection: status.state.status,
    openErrors: status.openErrors.map((group) => ({ code: group.code, count: group.courses + group.enrollments })),
    staleCourses,
    heldDeletions: held.courseIds.length,
  };
}
