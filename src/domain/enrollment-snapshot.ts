import { createHash } from 'node:crypto';
import type { UserGrades } from './moodle-data';
import type { CourseActivityIndex } from './course-modules';
import { canonicalJson } from './canonical-json';
import { type CourseGrade, courseGradeOf } from './grade';
import { type Progress, computeProgress } from './progress';
import { type ReportCardLine, reportCardOf } from './report-card';

/** Everything the enrollment sync derives from one student's gradebook rows. */
export interface EnrollmentSnapshot {
  progress: Progress;
  grade: CourseGrade | null;
  reportCard: ReportCardLine[];
}

export function computeEnrollmentSnapshot(index: CourseActivityIndex, userGrades: UserGrades): EnrollmentSnapshot {
  return {
    progress: computeProgress(index, userGrades.gradeItems),
    grade: courseGradeOf(userGrades.gradeItems),
    reportCard: reportCardOf(userGrades.gradeItems),
  };
}

/** Stored beside the snapshot so a sync writes only the enrollments whose data really changed. */
export function snapshotHash(snapshot: EnrollmentSnapshot): string {
  return createHash('sha256').update(canonicalJson(snapshot)).digest('hex');
}
