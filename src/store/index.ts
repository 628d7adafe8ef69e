import { CourseLeaseStore } from './course-leases';
import { CourseStore } from './courses';
import { EnrollmentStore } from './enrollments';
import type { Database } from './mongo';
import { ReportCardStore } from './report-cards';
import { StudentStore } from './students';
import { SyncErrorStore } from './sync-errors';
import { SyncRunStore } from './sync-runs';

export interface Stores {
  courses: CourseStore;
  syncRuns: SyncRunStore;
  syncErrors: SyncErrorStore;
  students: StudentStore;
  enrollments: EnrollmentStore;
  reportCards: ReportCardStore;
  courseLeases: CourseLeaseStore;
}

export function createStores({ db, traits }: Pick<Database, 'db' | 'traits'>): Stores {
  return {
    courses: new CourseStore(db, traits),
    syncRuns: new SyncRunStore(db),
    syncErrors: new SyncErrorStore(db, traits),
    students: new StudentStore(db, traits),
    enrollments: new EnrollmentStore(db, traits),
    reportCards: new ReportCardStore(db, traits),
    courseLeases: new CourseLeaseStore(db),
  };
}

/** Idempotent; run at every start-up. */
export async function ensureIndexes(stores: Stores): Promise<void> {
  await Promise.all(Object.values(stores).map((store) => store.ensureIndexes()));
}

/** What the layers above may know of the store: its errors and the documents it returns. */
export { DuplicateRecordError, InvalidCursorError, isDatabaseUnavailable } from './errors';
export type { CourseLease, CourseLeaseDocument, LeaseClaim, LeaseHolder } from './course-leases';
export { gradesSyncOf, isFollowed } from './courses';
export type { CourseDocument, CourseGradesSync } from './courses';
export type { EnrollmentDocument, EnrollmentListQuery } from './enrollments';
export type { StudentDocument } from './students';
export type { SyncErrorDocument } from './sync-errors';
export type { SyncRunDocument } from './sync-runs';
