import type { Db } from 'mongodb';
import { CourseStore } from './courses';
import { EnrollmentStore } from './enrollments';
import { StudentStore } from './students';
import { SyncErrorStore } from './sync-errors';
import { SyncRunStore } from './sync-runs';

export interface Stores {
  courses: CourseStore;
  syncRuns: SyncRunStore;
  syncErrors: SyncErrorStore;
  students: StudentStore;
  enrollments: EnrollmentStore;
}

export function createStores(db: Db): Stores {
  return {
    courses: new CourseStore(db),
    syncRuns: new SyncRunStore(db),
    syncErrors: new SyncErrorStore(db),
    students: new StudentStore(db),
    enrollments: new EnrollmentStore(db),
  };
}

/** Idempotent; run at every start-up. */
export async function ensureIndexes(stores: Stores): Promise<void> {
  await Promise.all(Object.values(stores).map((store) => store.ensureIndexes()));
}
