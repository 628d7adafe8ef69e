import { GraphQLScalarType, Kind } from 'graphql';
import {
  gradesSyncOf,
  type CourseDocument,
  type EnrollmentDocument,
  type EnrollmentListQuery,
  type Stores,
  type StudentDocument,
  type SyncErrorDocument,
  type SyncRunDocument,
} from '../../store';
import type { ApiContext } from '../context';
import { connection, type PageArgs } from '../cursors';
import { apiError } from '../errors';
import { toDate } from '../ids';

const counts = (record: Record<string, number>) => Object.entries(record).map(([name, value]) => ({ name, value }));

export const DateTime = new GraphQLScalarType<Date | null, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date-time in UTC.',
  serialize: (value) => {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TypeError('DateTime must be a valid Date');
    return value.toISOString();
  },
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw apiError('BAD_USER_INPUT', 'DateTime values are ISO-8601 strings such as 2026-11-28T09:30:00Z.');
  }
  return date;
}

/** A course's, a student's, or (admin views) all enrollments, as a connection. */
export function enrollmentConnection(stores: Stores, query: EnrollmentListQuery, args: PageArgs) {
  return connection(
    'enrollments',
    args,
    (page) => stores.enrollments.list(query, page),
    () => stores.enrollments.count(query),
  );
}

export const Course = {
  id: (course: CourseDocument) => String(course._id),
  moodleId: (course: CourseDocument) => course._id,
  shortName: (course: CourseDocument) => course.moodle.shortName,
  fullName: (course: CourseDocument) => course.moodle.fullName,
  idNumber: (course: CourseDocument) => course.moodle.idNumber || null,
  categoryId: (course: CourseDocument) => course.moodle.categoryId,
  deletedAt: (course: CourseDocument) => course.lmsDeletedAt,
  visibleInMoodle: (course: CourseDocument) => course.moodle.visible,
  startDate: (course: CourseDocument) => toDate(course.moodle.startDate),
  endDate: (course: CourseDocument) => toDate(course.moodle.endDate),
  lastSyncedAt: (course: CourseDocument) => gradesSyncOf(course).lastSyncedAt,
  lastAttemptAt: (course: CourseDocument) => gradesSyncOf(course).lastAttemptAt,
  lastSyncTrigger: (course: CourseDocument) => gradesSyncOf(course).lastSyncTrigger,
  lastSeenInMoodleAt: (course: CourseDocument, _args: unknown, { loaders }: ApiContext) =>
    course.deleted ? null : loaders.lastCourseSyncAt(),
  enrollments: (course: CourseDocument, args: PageArgs, { deps }: ApiContext) =>
    enrollmentConnection(deps.stores, { courseId: course._id }, args),
};

export const Student = {
  id: (student: StudentDocument) => student._id.toHexString(),
  enrollments: (student: StudentDocument, args: PageArgs, { deps }: ApiContext) =>
    enrollmentConnection(deps.stores, { studentId: student._id }, args),
};

export const Enrollment = {
  id: (enrollment: EnrollmentDocument) => enrollment._id.toHexString(),
  course: async (enrollment: EnrollmentDocument, _args: unknown, { loaders }: ApiContext) =>
    loaders.course.load(enrollment.courseId),
  student: async (enrollment: EnrollmentDocument, _args: unknown, { loaders }: ApiContext) =>
    loaders.student.load(enrollment.studentId.toHexString()),
  reportCard: async (enrollment: EnrollmentDocument, _args: unknown, { loaders }: ApiContext) =>
    ((await loaders.reportCard.load(enrollment._id.toHexString())) ?? enrollment.reportCard ?? []).map((line) => ({
      ...line,
      gradedAt: toDate(line.gradedAt),
      submittedAt: toDate(line.submittedAt),
    })),
};

export const SyncRun = {
  id: (run: SyncRunDocument) => run._id,
  counts: (run: SyncRunDocument) => counts(run.counts),
  moodleCalls: (run: SyncRunDocument) => counts(run.moodleCalls),
  error: (run: SyncRunDocument) => run.error?.message ?? null,
};

export const SyncError = {
  id: (error: SyncErrorDocument) => error._id.toHexString(),
  courseId: (error: SyncErrorDocument) => (error.courseId === null ? null : String(error.courseId)),
};
