import { Context } from '@temporalio/activity';
import { SYNC_SCOPES } from '../src/domain/sync-scopes';
import { describeHeldDeletions, diffCourses } from '../src/domain/course-diff';
import { MOODLE_FUNCTIONS, type MoodleClient } from '../src/moodle';
import type { Stores } from '../src/store';
import { failureLogFields, toActivityFailure } from './failures';

/** What a course sync needs from Moodle; checked before anything is read. */
export const COURSE_SYNC_FUNCTIONS = [MOODLE_FUNCTIONS.siteInfo, MOODLE_FUNCTIONS.courses] as const;

export const HELD_DELETIONS_CODE = 'COURSE_DELETIONS_HELD';

export interface CourseSyncCounts {
  coursesSeen: number;
  coursesNew: number;
  coursesChanged: number;
  coursesRestored: number;
  coursesDeleted: number;
  heldDeletions: number;
  coursesUnchanged: number;
  documentsWritten: number;
}

export interface CourseSyncDeps {
  stores: Stores;
  moodle: MoodleClient;
  now: () => Date;
  /** Share of known courses that may vanish in one run before deletions are held (docs/product.md "Course sync" step 3). */
  deletionGuardRatio: number;
}

export function createCourseSyncActivities({ stores, moodle, now, deletionGuardRatio }: CourseSyncDeps) {
  return {
    /**
     * Downloads the whole course list, diffs it against the stored courses and
     * writes only what changed. Any failure before the diff changes nothing.
     */
    async syncCourses(): Promise<{ counts: CourseSyncCounts; moodleCalls: Record<string, number> }> {
      const session = moodle.scoped(Context.current().cancellationSignal);
      try {
        const site = await session.preflight(COURSE_SYNC_FUNCTIONS);
        const moodleCourses = await session.getCourses();
        const stored = await stores.courses.all();
        const held = await stores.syncErrors.heldCourseDeletions();
        const diff = diffCourses({
          moodleCourses,
          stored,
          siteId: site.siteId,
          deletionGuardRatio,
          heldEarlier: new Set(held.courseIds),
        });
        const at = now();
        const documentsWritten = await stores.courses.applyDiff(diff, at);

        const stillHeld = describeHeldDeletions(diff);
        if (stillHeld === null) {
          await stores.syncErrors.resolve([SYNC_SCOPES.heldDeletions], at);
        } else {
          await stores.syncErrors.record(
            {
              scope: SYNC_SCOPES.heldDeletions,
              code: HELD_DELETIONS_CODE,
              message: stillHeld,
              details: { courseIds: diff.heldDeletions },
            },
            at,
          );
        }
        const counts: CourseSyncCounts = {
          coursesSeen: diff.seen,
          coursesNew: diff.created.length,
          coursesChanged: diff.changed.length,
          coursesRestored: diff.restored.length,
          coursesDeleted: diff.deleted.length,
          heldDeletions: diff.heldDeletions.length,
          coursesUnchanged: diff.unchanged,
          documentsWritten,
        };
        const moodleCalls = session.calls.byFunction();
        Context.current().log.info('course list synced', { ...counts, moodleCalls });
        return { counts, moodleCalls };
      } catch (error) {
        const failure = toActivityFailure(error, { moodleCalls: session.calls.byFunction() });
        Context.current().log.warn('course list sync attempt failed', failureLogFields(failure));
        throw failure;
      }
    },
  };
}
