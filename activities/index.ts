import { createCourseSyncActivities, type CourseSyncDeps } from './course-sync';
import { createEnrollmentSyncActivities, type EnrollmentSyncDeps } from './enrollment-sync';
import { createSyncRunActivities, type SyncRunDeps } from './sync-runs';

export type ActivityDeps = CourseSyncDeps & EnrollmentSyncDeps & SyncRunDeps;

/** Every activity the worker registers, built once from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSyncRunActivities(deps),
    ...createCourseSyncActivities(deps),
    ...createEnrollmentSyncActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
