import { buildActivityIndex } from '../../../src/domain/course-modules';
import { computeEnrollmentSnapshot, snapshotHash } from '../../../src/domain/enrollment-snapshot';
import {
  choosePerStudentDownloads,
  planEnrollmentSync,
  STUDENT_NOT_IN_GRADEBOOK,
  type StoredEnrollment,
} from '../../../src/domain/enrollment-sync';
import type { UserGrades } from '../../../src/domain/moodle-data';
import { alice, bongani, exampleSections } from './fixtures';

const gradebook = [alice, bongani];
const hashOf = (grades: UserGrades) =>
  snapshotHash(computeEnrollmentSnapshot(buildActivityIndex(exampleSections, alice.gradeItems), grades));

function stored(
  id: string,
  grades: Pick<UserGrades, 'userId'>,
  overrides: Partial<StoredEnrollment<string>> = {},
): StoredEnrollment<string> {
  return { id, moodleUserId: grades.userId, snapshotHash: null, syncErrorCode: null, ...overrides };
}

describe('planEnrollmentSync', () => {
  it('updates every enrollment that was never synced, with its snapshot and hash', () => {
    const plan = planEnrollmentSync(7, exampleSections, gradebook, [stored('a', alice), stored('b', bongani)]);
    expect(plan.updates.map((update) => update.id)).toEqual(['a', 'b']);
    expect(plan.updates[0]?.snapshot.progress).toEqual({ percent: 100, graded: 3, total: 3 });
    expect(plan.updates[0]?.snapshotHash).toBe(hashOf(alice));
    expect(plan).toMatchObject({ failures: [], recovered: [], unchanged: 0, gradesHidden: false });
  });

  it('leaves an enrollment whose stored hash matches alone', () => {
    const plan = planEnrollmentSync(7, exampleSections, gradebook, [
      stored('a', alice, { snapshotHash: hashOf(alice) }),
      stored('b', bongani),
    ]);
    expect(plan.updates.map((update) => update.id)).toEqual(['b']);
    expect(plan.unchanged).toBe(1);
  });

  it('reports a student without a gradebook row, and rewrites the enrollment only when its error is new', () => {
    const missing = { userId: 9999 };
    const plan = planEnrollmentSync(7, exampleSections, gradebook, [
      stored('new', missing),
      stored('old', missing, { syncErrorCode: STUDENT_NOT_IN_GRADEBOOK }),
    ]);
    expect(plan.updates).toEqual([]);
    expect(plan.failures).toEqual([
      expect.objectContaining({ id: 'new', code: STUDENT_NOT_IN_GRADEBOOK, changed: true }),
      expect.objectContaining({ id: 'old', code: STUDENT_NOT_IN_GRADEBOOK, changed: false }),
    ]);
    expect(plan.failures[0]?.message).toMatch(/user 9999 has no row in the gradebook of course 7/);
  });

  it('clears the error of an enrollment that syncs again, even when its data did not change', () => {
    const plan = planEnrollmentSync(7, exampleSections, gradebook, [
      stored('a', alice, { snapshotHash: hashOf(alice), syncErrorCode: STUDENT_NOT_IN_GRADEBOOK }),
    ]);
    expect(plan.updates.map((update) => update.id)).toEqual(['a']);
    expect(plan.recovered).toEqual(['a']);
    expect(plan.unchanged).toBe(0);
  });

  it('flags a course whose report hides grades, with unknown progress rather than 0 %', () => {
    const hidden = gradebook.map((grades) => ({
      ...grades,
      gradeItems: grades.gradeItems.map(({ gradeRaw: _gradeRaw, ...item }) => item),
    }));
    const plan = planEnrollmentSync(7, exampleSections, hidden, [stored('a', alice)]);
    expect(plan.gradesHidden).toBe(true);
    expect(plan.updates[0]?.snapshot.progress.percent).toBeNull();
  });

  it('syncs a course whose gradebook is empty as all students missing', () => {
    const plan = planEnrollmentSync(7, exampleSections, [], [stored('a', alice)]);
    expect(plan.failures.map((failure) => failure.id)).toEqual(['a']);
  });
});

describe('choosePerStudentDownloads', () => {
  const settings = { ratio: 0.1, max: 20, recountEveryMs: 24 * 3_600_000 };
  const now = new Date('2026-12-03T12:00:00Z');
  const counted = (users: number, hoursAgo = 1) => ({
    users,
    countedAt: new Date(now.getTime() - hoursAgo * 3_600_000),
  });

  it('downloads the whole gradebook until a full download has counted its users', () => {
    expect(choosePerStudentDownloads(1, undefined, settings, now)).toBe(false);
  });

  it('downloads per student when the SMS follows at most the ratio of the users, and at most max of them', () => {
    expect(choosePerStudentDownloads(10, counted(100), settings, now)).toBe(true);
    expect(choosePerStudentDownloads(11, counted(100), settings, now)).toBe(false);
    expect(choosePerStudentDownloads(20, counted(1000), settings, now)).toBe(true);
    expect(choosePerStudentDownloads(21, counted(1000), settings, now)).toBe(false);
  });

  it('reads the whole gradebook again once its count is recountEveryMs old, to notice who left', () => {
    expect(choosePerStudentDownloads(10, counted(100, 23.9), settings, now)).toBe(true);
    expect(choosePerStudentDownloads(10, counted(100, 24), settings, now)).toBe(false);
  });

  it('never for a course without enrollments, nor with max 0', () => {
    expect(choosePerStudentDownloads(0, counted(100), settings, now)).toBe(false);
    expect(choosePerStudentDownloads(1, counted(100), { ...settings, max: 0 }, now)).toBe(false);
  });
});
