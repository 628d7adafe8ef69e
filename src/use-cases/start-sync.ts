import type { Stores } from '../store';
import type { StartedWorkflow } from '../temporal/client';
import type { SyncLauncher } from '../temporal/launcher';

/** Course ids that name no course the SMS knows: refused, so that a typo never looks like a sync. */
export class UnknownCoursesError extends Error {
  override readonly name = 'UnknownCoursesError';

  constructor(readonly courseIds: readonly number[]) {
    super(`No course has id ${courseIds.join(', ')}.`);
  }
}

/**
 * Starts a manual enrollment sync of every followed course, or of `courseIds`
 * once each is known to the SMS (the API and `sms-sync sync enrollments` alike).
 */
export async function startEnrollmentSyncOf(
  stores: Stores,
  syncs: SyncLauncher,
  courseIds?: readonly number[],
): Promise<StartedWorkflow> {
  if (courseIds !== undefined) {
    const known = new Set((await stores.courses.getMany(courseIds)).map((course) => course._id));
    const unknown = courseIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new UnknownCoursesError(unknown);
  }
  return syncs.startEnrollmentSync('MANUAL', courseIds);
}
