import type { CourseState } from '../../domain/course';
import { readGradesFreshness, readStaleCourses, readSyncStatus } from '../../use-cases/sync-status';
import type { SyncKind } from '../../domain/sync-run';
import type { ApiContext } from '../context';
import { connection, keyedConnection, type PageArgs } from '../cursors';
import { apiError } from '../errors';
import { parseCourseId, parseRecordId, parseText } from '../ids';
import { enrollmentConnection } from './types';

/** docs/product.md "Course sync": NEW courses are for admins' triage; nobody else sees them. */
const READER_STATES: readonly CourseState[] = ['OPEN', 'CLOSED'];

export const Query = {
  courses: async (
    _: unknown,
    args: PageArgs & { states?: CourseState[] | null; search?: string | null; includeDeleted?: boolean | null },
    { viewer, deps }: ApiContext,
  ) => {
    const requested = args.states ?? ['NEW', 'OPEN', 'CLOSED'];
    const states = viewer.role === 'admin' ? requested : requested.filter((state) => READER_STATES.includes(state));
    const query = {
      states,
      search: args.search == null ? undefined : parseText(args.search, 'search'),
      includeDeleted: args.includeDeleted ?? false,
    };
    return connection(
      'courses',
      args,
      (page) => deps.stores.courses.list(query, page),
      () => deps.stores.courses.count(query),
    );
  },

  course: async (_: unknown, args: { id: string }, { viewer, loaders }: ApiContext) => {
    const course = await loaders.course.load(parseCourseId(args.id, 'id'));
    return course === null || (course.state === 'NEW' && viewer.role !== 'admin') ? null : course;
  },

  enrollments: async (
    _: unknown,
    args: PageArgs & { courseId?: string | null; studentId?: string | null },
    { deps, loaders }: ApiContext,
  ) => {
    const filter = {
      ...(args.courseId != null && { courseId: parseCourseId(args.courseId) }),
      ...(args.studentId != null && { studentId: parseRecordId(args.studentId, 'studentId') }),
    };
    if (filter.studentId !== undefined && (await loaders.student.load(filter.studentId)) === null) {
      throw apiError('NOT_FOUND', 'No student has that id.', { argument: 'studentId' });
    }
    return enrollmentConnection(deps.stores, filter, args);
  },

  enrollment: async (_: unknown, args: { id: string }, { deps }: ApiContext) =>
    deps.stores.enrollments.get(parseRecordId(args.id, 'id')),

  students: async (_: unknown, args: PageArgs & { search?: string | null }, { deps }: ApiContext) => {
    const search = args.search == null ? undefined : parseText(args.search, 'search');
    return connection(
      'students',
      args,
      (page) => deps.stores.students.list(page, search),
      () => deps.stores.students.count(search),
    );
  },

  student: async (_: unknown, args: { id: string }, { loaders }: ApiContext) =>
    loaders.student.load(parseRecordId(args.id, 'id')),

  syncStatus: async (_: unknown, _args: unknown, { deps, loaders }: ApiContext) => {
    const { state, lastCourseSync, lastEnrollmentSync } = await readSyncStatus(
      deps.stores,
      deps.now(),
      deps.syncIntervals,
    );
    // Read once, and only when one of its fields is asked for (graphql-js calls a function-valued field).
    let freshness: ReturnType<typeof readGradesFreshness> | undefined;
    const read = () =>
      (freshness ??= readGradesFreshness(deps.stores, deps.now(), deps.syncIntervals, loaders.followedCourses()));
    return {
      connection: state.status,
      message: state.message,
      cause: state.cause,
      lastSuccessAt: state.lastSuccessAt,
      lastCourseSync,
      lastEnrollmentSync,
      staleCourseCount: async () => (await read()).staleCourseCount,
      oldestCourseSyncAt: async () => (await read()).oldestCourseSyncAt,
      oldestCourseDataAgeSeconds: async () => (await read()).oldestCourseDataAgeSeconds,
    };
  },

  staleCourses: async (_: unknown, args: PageArgs, { viewer, deps, loaders }: ApiContext) =>
    keyedConnection('staleCourses', args, async (page) => {
      const found = await readStaleCourses(deps.stores, deps.now(), deps.syncIntervals, page, {
        states: viewer.role === 'admin' ? undefined : READER_STATES,
        followed: loaders.followedCourses(),
      });
      return { ...found, edges: found.edges.map(({ key, course }) => ({ key, node: course })) };
    }),

  syncErrors: async (
    _: unknown,
    args: PageArgs & { open?: boolean | null; courseId?: string | null },
    { deps }: ApiContext,
  ) => {
    const query = {
      open: args.open ?? true,
      ...(args.courseId != null && { courseId: parseCourseId(args.courseId) }),
    };
    return connection(
      'syncErrors',
      args,
      (page) => deps.stores.syncErrors.list(query, page),
      () => deps.stores.syncErrors.count(query),
    );
  },

  syncRuns: async (_: unknown, args: PageArgs & { kind?: SyncKind | null }, { deps }: ApiContext) => {
    const kind = args.kind ?? undefined;
    return connection(
      'syncRuns',
      args,
      (page) => deps.stores.syncRuns.list(kind, page),
      () => deps.stores.syncRuns.count(kind),
    );
  },
};
