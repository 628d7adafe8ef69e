import type { CourseSection, UserGrades } from './moodle-data';
import { buildActivityIndex, type CourseActivityIndex } from './course-modules';
import { computeEnrollmentSnapshot, snapshotHash, type EnrollmentSnapshot } from './enrollment-snapshot';

export const STUDENT_NOT_IN_GRADEBOOK = 'STUDENT_NOT_IN_GRADEBOOK';
export const GRADES_HIDDEN_BY_REPORT = 'GRADES_HIDDEN_BY_REPORT';

/** What the sync knows of a stored enrollment; `Id` is the store's id type. */
export interface StoredEnrollment<Id> {
  id: Id;
  moodleUserId: number;
  snapshotHash: string | null;
  /** Code of the enrollment's current sync error, if any. */
  syncErrorCode: string | null;
}

export interface EnrollmentUpdate<Id> {
  id: Id;
  snapshot: EnrollmentSnapshot;
  snapshotHash: string;
}

export interface EnrollmentFailure<Id> {
  id: Id;
  code: string;
  message: string;
  /** False when the enrollment already carries this error, so only the error log needs a new occurrence. */
  changed: boolean;
}

export interface EnrollmentSyncPlan<Id> {
  /** Enrollments whose data changed, or whose last error is now gone. */
  updates: EnrollmentUpdate<Id>[];
  failures: EnrollmentFailure<Id>[];
  /** Enrollments that had a sync error and are fine now. */
  recovered: Id[];
  unchanged: number;
  /** The course's user report hides grades: every progress is unknown (docs/product.md "Enrollment sync" step 2). */
  gradesHidden: boolean;
}

/**
 * Compares one course's gradebook with its SMS enrollments. Computing costs
 * one activity index for the course and one snapshot per enrollment; only
 * enrollments whose snapshot hash differs from the stored one are updated.
 */
export function planEnrollmentSync<Id>(
  courseId: number,
  sections: CourseSection[],
  gradebook: UserGrades[],
  enrollments: readonly StoredEnrollment<Id>[],
): EnrollmentSyncPlan<Id> {
  const planner = createEnrollmentSyncPlanner(courseId, sections, enrollments);
  for (const grades of gradebook) planner.addUser(grades);
  return planner.finish();
}

/** `planEnrollmentSync` for a gradebook that arrives one user at a time. */
export interface EnrollmentSyncPlanner<Id> {
  /** Plans the user's enrollment if the SMS follows the user; keeps nothing otherwise. */
  addUser(grades: UserGrades): void;
  /** Updates planned since the last call, for a caller that writes as it reads; they leave the final plan. */
  takeUpdates(): EnrollmentUpdate<Id>[];
  /** How many updates `takeUpdates` would hand over. */
  readonly pendingUpdates: number;
  /** The rest of the plan: updates not taken, and every followed user the gradebook did not have. */
  finish(): EnrollmentSyncPlan<Id>;
}

/**
 * A whole-course gradebook can hold thousands of users × items, most of them not followed by the SMS:
 * the planner keeps only the updates of followed users whose data changed, and hands those over as it
 * goes (`takeUpdates`), so neither the gradebook nor the course's snapshots need to be held at once.
 * The course's activity index is built from the first user's grade items, which every user shares.
 */
export function createEnrollmentSyncPlanner<Id>(
  courseId: number,
  sections: CourseSection[],
  enrollments: readonly StoredEnrollment<Id>[],
): EnrollmentSyncPlanner<Id> {
  const byUser = new Map(enrollments.map((enrollment) => [enrollment.moodleUserId, enrollment]));
  const seen = new Set<number>();
  const plan: EnrollmentSyncPlan<Id> = { updates: [], failures: [], recovered: [], unchanged: 0, gradesHidden: false };
  let index: CourseActivityIndex | undefined;
  return {
    addUser(grades) {
      index ??= buildActivityIndex(sections, grades.gradeItems);
      const enrollment = byUser.get(grades.userId);
      // A user listed twice counts once, as the first listing has it.
      if (enrollment === undefined || seen.has(grades.userId)) return;
      seen.add(grades.userId);
      const snapshot = computeEnrollmentSnapshot(index, grades);
      if (snapshot.progress.unknownReason === 'grades-hidden-by-report') plan.gradesHidden = true;
      const hash = snapshotHash(snapshot);
      if (enrollment.syncErrorCode !== null) plan.recovered.push(enrollment.id);
      if (hash === enrollment.snapshotHash && enrollment.syncErrorCode === null) plan.unchanged += 1;
      else plan.updates.push({ id: enrollment.id, snapshot, snapshotHash: hash });
    },
    takeUpdates() {
      return plan.updates.splice(0);
    },
    get pendingUpdates() {
      return plan.updates.length;
    },
    finish() {
      for (const enrollment of enrollments) {
        if (seen.has(enrollment.moodleUserId)) continue;
        plan.failures.push({
          id: enrollment.id,
          code: STUDENT_NOT_IN_GRADEBOOK,
          message:
            `Moodle user ${enrollment.moodleUserId} has no row in the gradebook of course ${courseId}: ` +
            'check that the student is enrolled in the Moodle course with the student role and an active enrolment',
          changed: enrollment.syncErrorCode !== STUDENT_NOT_IN_GRADEBOOK,
        });
      }
      return plan;
    },
  };
}

export interface PerStudentSettings {
  /** Largest share of the gradebook's users the SMS may follow for per-student downloads to pay off. */
  ratio: number;
  /** Most per-student calls for one course. */
  max: number;
  /** Longest a course is read per student before a whole-gradebook read counts its users again. */
  recountEveryMs: number;
}

/** Defaults of ENROLLMENT_PER_STUDENT_RATIO, ENROLLMENT_PER_STUDENT_MAX and ENROLLMENT_PER_STUDENT_RECOUNT. */
export const DEFAULT_PER_STUDENT_SETTINGS: PerStudentSettings = { ratio: 0.1, max: 20, recountEveryMs: 24 * 3_600_000 };

/** What the last whole-gradebook read of a course counted. */
export interface GradebookCount {
  users: number;
  countedAt: Date;
}

/**
 * A `userid=0` report costs Moodle work for every user of the course and
 * can be tens of MB (docs/moodle.md §10); when the SMS follows only a few of
 * those users, one small call each is cheaper. Unknown until a full download
 * has counted the gradebook's users. A per-student report still answers for a
 * student who left the course (Moodle keeps their grades), and the count
 * drifts as students come and go: so a course is read whole again once its
 * count is `recountEveryMs` old, which notices who left and counts anew.
 */
export function choosePerStudentDownloads(
  enrollments: number,
  count: GradebookCount | undefined,
  settings: PerStudentSettings,
  now: Date,
): boolean {
  if (count === undefined || enrollments === 0) return false;
  if (now.getTime() - count.countedAt.getTime() >= settings.recountEveryMs) return false;
  return enrollments <= settings.max && enrollments <= count.users * settings.ratio;
}

export function gradesHiddenMessage(courseId: number): string {
  return (
    `the user report of course ${courseId} hides grades ("Show grade" is off in the course's user report settings), ` +
    'so progress cannot be computed: turn it on in Moodle'
  );
}
