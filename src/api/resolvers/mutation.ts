import { confirmHeldDeletions } from '../../use-cases/course-deletions';
import { DEFAULT_REPLAY_WINDOW, replayFailedSyncs } from '../../use-cases/replay';
import { startEnrollmentSyncOf, UnknownCoursesError } from '../../use-cases/start-sync';
import type { CourseState } from '../../domain/course';
import { isMoodleError, type UserLookupField } from '../../moodle';
import { DuplicateRecordError } from '../../store';
import type { ApiContext } from '../context';
import { apiError } from '../errors';
import { parseCourseId, parseCourseIds, parseRecordId, parseText } from '../ids';

const LOOKUP_FIELDS = { moodleUserId: 'id', email: 'email', idNumber: 'idnumber' } as const satisfies Record<
  string,
  UserLookupField
>;

/** Moodle failures reach admins as the technician's message; never as a stack or a raw body. */
function moodleUnavailable(error: unknown): never {
  if (isMoodleError(error)) throw apiError('MOODLE_UNAVAILABLE', `Moodle could not be asked: ${error.message}`);
  throw error;
}

export const Mutation = {
  setCourseState: async (_: unknown, args: { courseId: string; state: CourseState }, { deps }: ApiContext) => {
    const courseId = parseCourseId(args.courseId);
    if (args.state === 'NEW')
      throw apiError('BAD_USER_INPUT', 'A course can only be marked OPEN or CLOSED.', { argument: 'state' });
    const course = await deps.stores.courses.get(courseId);
    if (course === null) throw apiError('NOT_FOUND', `No course has id ${courseId}.`);
    if (course.deleted)
      throw apiError('COURSE_DELETED', `Course ${courseId} was deleted in Moodle; its state can no longer change.`);
    return deps.stores.courses.setState(courseId, args.state, deps.now());
  },

  createStudent: async (
    _: unknown,
    args: { moodleUserId?: number | null; email?: string | null; idNumber?: string | null },
    { deps }: ApiContext,
  ) => {
    const given = (Object.keys(LOOKUP_FIELDS) as (keyof typeof LOOKUP_FIELDS)[]).filter(
      (key) => args[key] !== null && args[key] !== undefined && String(args[key]).trim() !== '',
    );
    if (given.length !== 1) {
      throw apiError('BAD_USER_INPUT', 'Give exactly one of moodleUserId, email or idNumber.');
    }
    const key = given[0]!;
    const value = parseText(String(args[key]).trim(), key);
    if (key === 'moodleUserId' && !(Number.isInteger(args.moodleUserId) && args.moodleUserId! > 0)) {
      throw apiError('BAD_USER_INPUT', '"moodleUserId" must be a positive whole number.', { argument: key });
    }
    const users = await deps.moodle.getUsersByField(LOOKUP_FIELDS[key], [value]).catch(moodleUnavailable);
    if (users.length !== 1) {
      throw apiError(
        'MOODLE_USER_NOT_FOUND',
        users.length === 0
          ? `Moodle has no user whose ${key} is "${value}".`
          : `Several Moodle users have ${key} "${value}".`,
      );
    }
    const [user] = users;
    try {
      return await deps.stores.students.create(
        {
          moodleUserId: user!.id,
          fullName: user!.fullName,
          email: user!.email ?? null,
          idNumber: user!.idNumber ?? null,
        },
        deps.now(),
      );
    } catch (error) {
      if (error instanceof DuplicateRecordError) throw apiError('STUDENT_EXISTS', error.message);
      throw error;
    }
  },

  createEnrollment: async (_: unknown, args: { courseId: string; studentId: string }, { deps }: ApiContext) => {
    const courseId = parseCourseId(args.courseId);
    const studentId = parseRecordId(args.studentId, 'studentId');
    const [course, student] = await Promise.all([
      deps.stores.courses.get(courseId),
      deps.stores.students.get(studentId),
    ]);
    if (course === null) throw apiError('NOT_FOUND', `No course has id ${courseId}.`, { argument: 'courseId' });
    if (course.deleted)
      throw apiError(
        'COURSE_DELETED',
        `Course ${courseId} was deleted in Moodle; no new enrollment can be created in it.`,
      );
    if (course.state !== 'OPEN') {
      throw apiError(
        'COURSE_NOT_OPEN',
        `Course ${courseId} is ${course.state}; only OPEN courses take new enrollments.`,
        {
          state: course.state,
        },
      );
    }
    if (student === null) throw apiError('NOT_FOUND', 'No student has that id.', { argument: 'studentId' });
    const enrollment = await deps.stores.enrollments
      .create({ courseId, studentId, moodleUserId: student.moodleUserId }, deps.now())
      .catch((error: unknown) => {
        if (error instanceof DuplicateRecordError) throw apiError('ALREADY_ENROLLED', error.message);
        throw error;
      });
    // The course now counts as followed for staleness; should the mark fail, the next sync's try marks it.
    await deps.stores.courses.markFollowed(course, deps.now()).catch((error: unknown) => {
      deps.logger.warn({ courseId, err: error }, 'course not marked as followed');
    });
    return enrollment;
  },

  triggerCourseSync: async (_: unknown, _args: unknown, { deps }: ApiContext) => {
    const started = await deps.syncs.startCourseSync('MANUAL');
    return { workflowIds: [started.workflowId] };
  },

  triggerEnrollmentSync: async (_: unknown, args: { courseIds?: string[] | null }, { deps }: ApiContext) => {
    const courseIds = parseCourseIds(args.courseIds);
    if (courseIds !== undefined) {
      if (courseIds.length === 0)
        throw apiError('BAD_USER_INPUT', 'Give at least one course id, or none for all courses.');
    }
    try {
      const started = await startEnrollmentSyncOf(deps.stores, deps.syncs, courseIds);
      return { workflowIds: [started.workflowId] };
    } catch (error) {
      if (error instanceof UnknownCoursesError)
        throw apiError('NOT_FOUND', error.message, { courseIds: error.courseIds.map(String) });
      throw error;
    }
  },

  replayFailedSyncs: async (_: unknown, args: { since?: Date | null }, { deps }: ApiContext) => {
    const since = args.since ?? new Date(deps.now().getTime() - DEFAULT_REPLAY_WINDOW.ms);
    const { plan, started } = await replayFailedSyncs(deps.stores, deps.syncs, { since });
    return {
      workflowIds: started.map((workflow) => workflow.workflowId),
      fullCourseSync: plan.fullCourseSync,
      fullEnrollmentSync: plan.fullEnrollmentSync,
      courseIds: plan.courseIds.map(String),
    };
  },

  confirmCourseDeletions: async (_: unknown, args: { courseIds?: string[] | null }, { deps }: ApiContext) => {
    const result = await confirmHeldDeletions(deps.stores, deps.now(), parseCourseIds(args.courseIds));
    return {
      deleted: await deps.stores.courses.getMany(result.deleted),
      ignored: result.ignored.map(String),
      stillHeld: result.stillHeld.map(String),
    };
  },
};
