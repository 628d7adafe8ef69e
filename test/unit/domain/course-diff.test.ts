import fc from 'fast-check';
import { type CourseRecord, toCourseMoodleFields } from '../../../src/domain/course';
import {
  type CourseDiff,
  type CourseDiffInput,
  DEFAULT_DELETION_GUARD_RATIO,
  DuplicateCourseIdsError,
  describeHeldDeletions,
  diffCourses,
} from '../../../src/domain/course-diff';
import type { MoodleCourse } from '../../../src/domain/moodle-data';
import { SITE_ID, exampleCourses, moodleCourse, storedCourse } from './fixtures';

const DELETED_AT = new Date('2025-03-01T10:00:00Z');

function diff(moodleCourses: MoodleCourse[], stored: CourseRecord[], options: Partial<CourseDiffInput> = {}) {
  return diffCourses({
    moodleCourses,
    stored,
    siteId: SITE_ID,
    deletionGuardRatio: DEFAULT_DELETION_GUARD_RATIO,
    ...options,
  });
}

/** Courses 2…n+1, as Moodle lists them and as a previous sync stored them. */
function knownCourses(count: number) {
  const courses = Array.from({ length: count }, (_, index) => moodleCourse(index + 2));
  return { courses, stored: courses.map((course) => storedCourse(course)) };
}

const frontPage = moodleCourse(SITE_ID, { format: 'site', categoryId: 0, startDate: 0 });

describe('diffCourses: Moodle fields', () => {
  it('stores every example course as NEW on the first sync, without the front page', () => {
    const result = diff(exampleCourses, []);
    expect(result.created).toEqual([
      { moodleId: 101, state: 'NEW', moodle: toCourseMoodleFields(exampleCourses[1]!), lmsDeletedAt: null },
      { moodleId: 102, state: 'NEW', moodle: toCourseMoodleFields(exampleCourses[2]!), lmsDeletedAt: null },
    ]);
    expect(result).toMatchObject({ changed: [], restored: [], deleted: [], heldDeletions: [], unchanged: 0, seen: 2 });
  });

  it('only counts courses whose Moodle fields did not change', () => {
    const { courses, stored } = knownCourses(3);
    expect(diff([frontPage, ...courses], stored)).toEqual<CourseDiff>({
      created: [],
      changed: [],
      restored: [],
      deleted: [],
      heldDeletions: [],
      deletionGuard: null,
      unchanged: 3,
      seen: 3,
    });
  });

  it('lists the changed fields together with the refreshed values', () => {
    const before = moodleCourse(5);
    const after = moodleCourse(5, { fullName: 'Course 5 (2025)', visible: false });
    const result = diff([after], [storedCourse(before, { state: 'CLOSED' })]);
    expect(result.changed).toEqual([
      { moodleId: 5, moodle: toCourseMoodleFields(after), changedFields: ['fullName', 'visible'] },
    ]);
    expect(result.unchanged).toBe(0);
  });

  it.each<[string, Partial<MoodleCourse>]>([
    ['shortName', { shortName: 'NEW-SHORT' }],
    ['fullName', { fullName: 'New full name' }],
    ['displayName', { displayName: 'New display name' }],
    ['categoryId', { categoryId: 9 }],
    ['format', { format: 'weeks' }],
    ['idNumber', { idNumber: 'SMS-OTHER' }],
    ['visible', { visible: false }],
    ['startDate', { startDate: 1_800_000_000 }],
    ['endDate', { endDate: 1_900_000_000 }],
  ])('detects a change of %s', (field, change) => {
    const result = diff([moodleCourse(5, change)], [storedCourse(moodleCourse(5))]);
    expect(result.changed.map((entry) => entry.changedFields)).toEqual([[field]]);
  });

  it('keeps the stored idnumber and visibility when the token can no longer read them', () => {
    const stored = storedCourse(moodleCourse(5, { idNumber: 'SMS-5', visible: false }));
    const result = diff([moodleCourse(5, { idNumber: undefined, visible: undefined })], [stored]);
    expect(result.changed).toEqual([]);
    expect(result.unchanged).toBe(1);
  });

  it('still reports other changes while keeping the unreadable fields', () => {
    const stored = storedCourse(moodleCourse(5, { idNumber: 'SMS-5', visible: false }));
    const result = diff([moodleCourse(5, { fullName: 'Renamed', idNumber: undefined, visible: undefined })], [stored]);
    expect(result.changed).toEqual([
      {
        moodleId: 5,
        moodle: { ...stored.moodle, fullName: 'Renamed' },
        changedFields: ['fullName'],
      },
    ]);
  });

  it('counts a field that turns from an empty idnumber into a code as a change', () => {
    const result = diff([moodleCourse(5, { idNumber: 'SMS-5' })], [storedCourse(moodleCourse(5, { idNumber: '' }))]);
    expect(result.changed[0]?.changedFields).toEqual(['idNumber']);
  });

  it('never treats the front page as a course, whether named by site id or by format', () => {
    const oddFrontPage = moodleCourse(1, { format: 'topics' });
    const siteFormatted = moodleCourse(900, { format: 'site' });
    const result = diff([oddFrontPage, siteFormatted, moodleCourse(5)], []);
    expect(result.created.map((record) => record.moodleId)).toEqual([5]);
    expect(result.seen).toBe(1);
  });

  it('rejects a list naming a course twice, with the ids in the error', () => {
    const attempt = () => diff([moodleCourse(5), moodleCourse(6), moodleCourse(5), moodleCourse(6)], []);
    expect(attempt).toThrow(DuplicateCourseIdsError);
    expect(attempt).toThrow("Moodle's course list names course 5, 6 more than once");
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ type: 'duplicate-course-ids', courseIds: [5, 6] });
    }
  });

  it.each([Number.NaN, -0.1, 1.5])('rejects the guard ratio %p', (ratio) => {
    expect(() => diff([], [], { deletionGuardRatio: ratio })).toThrow(RangeError);
  });
});

describe('diffCourses: deletion and restore', () => {
  it('marks a known course that left Moodle deleted, never removing it', () => {
    const { courses, stored } = knownCourses(3);
    const result = diff(courses.slice(1), stored);
    expect(result.deleted).toEqual([2]);
    expect(result.heldDeletions).toEqual([]);
    expect(result.deletionGuard).toBeNull();
    expect(result.unchanged).toBe(2);
  });

  it('lists deletions in ascending id order whatever the stored order', () => {
    const { courses, stored } = knownCourses(6);
    const result = diff(courses.slice(3), [...stored].reverse());
    expect(result.deleted).toEqual([2, 3, 4]);
  });

  it('does nothing for a course already deleted and still missing', () => {
    const { courses, stored } = knownCourses(3);
    const alreadyDeleted = { ...stored[0]!, lmsDeletedAt: DELETED_AT };
    const result = diff(courses.slice(1), [alreadyDeleted, ...stored.slice(1)]);
    expect(result).toMatchObject({ created: [], changed: [], restored: [], deleted: [], heldDeletions: [] });
    expect(result.unchanged).toBe(2);
  });

  it('restores a deleted course that reappears, keeping its state out of the diff and refreshing its fields', () => {
    const reappeared = moodleCourse(5, { fullName: 'Back again' });
    const stored = storedCourse(moodleCourse(5), { state: 'CLOSED', lmsDeletedAt: DELETED_AT });
    const result = diff([reappeared], [stored]);
    expect(result.restored).toEqual([{ moodleId: 5, moodle: toCourseMoodleFields(reappeared) }]);
    expect(result.restored[0]).not.toHaveProperty('state');
    expect(result).toMatchObject({ created: [], changed: [], unchanged: 0 });
  });

  it('restores an unchanged course too, since its deletion mark must be cleared', () => {
    const course = moodleCourse(5);
    const result = diff([course], [storedCourse(course, { lmsDeletedAt: DELETED_AT })]);
    expect(result.restored.map((entry) => entry.moodleId)).toEqual([5]);
    expect(result.unchanged).toBe(0);
  });
});

describe('diffCourses: deletion guard', () => {
  it('holds all deletions when 8 of 10 known courses vanish, while new and changed courses still apply', () => {
    const { courses, stored } = knownCourses(10);
    const renamed = { ...courses[0]!, fullName: 'Renamed' };
    const result = diff([renamed, courses[1]!, moodleCourse(50)], stored);
    expect(result.deleted).toEqual([]);
    expect(result.heldDeletions).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(result.deletionGuard).toEqual({
      reason: 'too-many-missing',
      missingCount: 8,
      knownCount: 10,
      ratio: DEFAULT_DELETION_GUARD_RATIO,
    });
    expect(result.created.map((record) => record.moodleId)).toEqual([50]);
    expect(result.changed.map((entry) => entry.moodleId)).toEqual([2]);
    expect(result.unchanged).toBe(1);
  });

  it('applies deletions that are exactly at the ratio', () => {
    const { courses, stored } = knownCourses(10);
    const result = diff(courses.slice(5), stored);
    expect(result.deleted).toEqual([2, 3, 4, 5, 6]);
    expect(result.heldDeletions).toEqual([]);
    expect(result.deletionGuard).toBeNull();
  });

  it('measures the ratio against known courses only, not against ones already deleted', () => {
    const { courses, stored } = knownCourses(10);
    const withDeleted = stored.map((record, index) => (index < 4 ? { ...record, lmsDeletedAt: DELETED_AT } : record));
    // 4 of the 6 known courses vanish: 67 % > 50 %.
    const result = diff(courses.slice(8), withDeleted);
    expect(result.heldDeletions).toEqual([6, 7, 8, 9]);
    expect(result.deletionGuard).toMatchObject({ missingCount: 4, knownCount: 6 });
  });

  it('applies admin-confirmed deletions even when the guard holds the rest', () => {
    const { courses, stored } = knownCourses(10);
    const result = diff(courses.slice(8), stored, { confirmedDeletions: new Set([3, 5, 7, 99]) });
    expect(result.deleted).toEqual([3, 5, 7]);
    expect(result.heldDeletions).toEqual([2, 4, 6, 8, 9]);
    expect(result.deletionGuard).toEqual({
      reason: 'too-many-missing',
      missingCount: 8,
      knownCount: 10,
      ratio: DEFAULT_DELETION_GUARD_RATIO,
    });
  });

  it('reports no guard when every held deletion was confirmed', () => {
    const { courses, stored } = knownCourses(4);
    const result = diff(courses.slice(3), stored, { confirmedDeletions: new Set([2, 3, 4]) });
    expect(result.deleted).toEqual([2, 3, 4]);
    expect(result.heldDeletions).toEqual([]);
    expect(result.deletionGuard).toBeNull();
  });

  it('holds every deletion at ratio 0, so each one needs a confirmation', () => {
    const { courses, stored } = knownCourses(10);
    expect(diff(courses.slice(1), stored, { deletionGuardRatio: 0 }).heldDeletions).toEqual([2]);
  });

  it('never deletes anything from an empty list, even when the ratio would allow it', () => {
    const { stored } = knownCourses(3);
    for (const moodleCourses of [[], [frontPage]]) {
      const result = diff(moodleCourses, stored, { deletionGuardRatio: 1 });
      expect(result.deleted).toEqual([]);
      expect(result.heldDeletions).toEqual([2, 3, 4]);
      expect(result.deletionGuard).toEqual({ reason: 'empty-list', missingCount: 3, knownCount: 3, ratio: 1 });
    }
  });

  it('applies confirmed deletions from an empty list, so the last courses of a site can be deleted', () => {
    const { stored } = knownCourses(2);
    const result = diff([], stored, { confirmedDeletions: new Set([2, 3]) });
    expect(result.deleted).toEqual([2, 3]);
    expect(result.deletionGuard).toBeNull();
  });

  it('keeps a deletion held by an earlier run held, even when new courses bring the missing share under the limit', () => {
    const { courses, stored } = knownCourses(10);
    // The first run holds 8 of 10 vanished courses; by the next one, 10 new courses make it 8 of 20 (40 %).
    const first = diff(courses.slice(8), stored);
    expect(first.heldDeletions).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const newcomers = Array.from({ length: 10 }, (_, index) => moodleCourse(100 + index));
    const grown = [...stored, ...newcomers.map((course) => storedCourse(course))];
    const listed = [...courses.slice(8), ...newcomers, ...courses.slice(0, 1)];
    const second = diff(listed, grown, { heldEarlier: new Set(first.heldDeletions), confirmedDeletions: new Set([3]) });
    // Course 2 came back; 3 was confirmed; the rest still wait for an admin.
    expect(second.deleted).toEqual([3]);
    expect(second.heldDeletions).toEqual([4, 5, 6, 7, 8, 9]);
    expect(second.deletionGuard).toEqual({
      reason: 'held-earlier',
      missingCount: 7,
      knownCount: 20,
      ratio: DEFAULT_DELETION_GUARD_RATIO,
    });
    expect(describeHeldDeletions(second)).toBe(
      '6 courses held back by an earlier course sync are still missing from Moodle and still not marked deleted: ' +
        '4, 5, 6, 7, 8, 9. Confirm the deletions if they are real.',
    );
  });

  it('deletes new vanishings that the guard lets through beside deletions held earlier', () => {
    const { courses, stored } = knownCourses(10);
    const result = diff(courses.slice(0, 8), stored, { heldEarlier: new Set([10]) });
    expect(result.deleted).toEqual([11]);
    expect(result.heldDeletions).toEqual([10]);
    expect(result.deletionGuard?.reason).toBe('held-earlier');
  });

  it('finds nothing suspicious in an empty list when no course is known', () => {
    const deletedOnly = [storedCourse(moodleCourse(5), { lmsDeletedAt: DELETED_AT })];
    for (const stored of [[], deletedOnly]) {
      expect(diff([], stored)).toMatchObject({ deleted: [], heldDeletions: [], deletionGuard: null, seen: 0 });
    }
  });
});

describe('describeHeldDeletions', () => {
  it('explains held deletions in plain words', () => {
    const { courses, stored } = knownCourses(10);
    expect(describeHeldDeletions(diff(courses.slice(8), stored))).toBe(
      "Moodle's course list no longer contains 8 of 10 known courses (80 % > 50 % limit); " +
        'they were not marked deleted. Confirm the deletions if they are real.',
    );
  });

  it('says which deletions were held when some were confirmed', () => {
    const { courses, stored } = knownCourses(3);
    const result = diff(courses.slice(2), stored, { confirmedDeletions: new Set([2]) });
    expect(describeHeldDeletions(result)).toBe(
      "Moodle's course list no longer contains 2 of 3 known courses (66.67 % > 50 % limit); " +
        'the 1 not confirmed by an admin was not marked deleted. Confirm the deletions if they are real.',
    );
  });

  it('explains an empty list', () => {
    const { stored } = knownCourses(1);
    expect(describeHeldDeletions(diff([], stored))).toBe(
      'Moodle returned an empty course list although 1 course is known; ' +
        'they were not marked deleted. Confirm the deletions if they are real.',
    );
  });

  it('has nothing to say when no deletion was held', () => {
    const { courses, stored } = knownCourses(4);
    expect(describeHeldDeletions(diff(courses.slice(1), stored))).toBeNull();
  });
});

describe('diffCourses: properties', () => {
  const courseArb = (id: number) =>
    fc
      .record({
        shortName: fc.constantFrom('A', 'B'),
        categoryId: fc.constantFrom(1, 2),
        idNumber: fc.constantFrom(undefined, '', 'SMS-1'),
        visible: fc.constantFrom(undefined, true, false),
        endDate: fc.constantFrom(0, 1_900_000_000),
      })
      .map((fields) => moodleCourse(id, fields));
  const idsArb = fc.uniqueArray(fc.integer({ min: 2, max: 25 }), { maxLength: 15 });
  const moodleListArb = idsArb.chain((ids) => fc.tuple(...ids.map(courseArb)));
  const storedArb = idsArb.chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc
          .record({
            course: courseArb(id),
            state: fc.constantFrom('NEW' as const, 'OPEN' as const, 'CLOSED' as const),
            deleted: fc.boolean(),
          })
          .map(({ course, state, deleted }) =>
            storedCourse(course, { state, lmsDeletedAt: deleted ? DELETED_AT : null }),
          ),
      ),
    ),
  );
  const inputArb = fc.record({
    moodleCourses: moodleListArb,
    stored: storedArb,
    deletionGuardRatio: fc.constantFrom(0, 0.25, 0.5, 1),
    confirmed: fc.uniqueArray(fc.integer({ min: 2, max: 25 }), { maxLength: 5 }),
  });

  /** What the course store does with a diff. */
  function apply(result: CourseDiff, stored: CourseRecord[]): CourseRecord[] {
    const byId = new Map(stored.map((record) => [record.moodleId, record]));
    for (const record of result.created) byId.set(record.moodleId, record);
    for (const { moodleId, moodle } of [...result.changed, ...result.restored]) {
      const record = byId.get(moodleId)!;
      byId.set(moodleId, { ...record, moodle, lmsDeletedAt: null });
    }
    for (const moodleId of result.deleted) byId.set(moodleId, { ...byId.get(moodleId)!, lmsDeletedAt: DELETED_AT });
    return [...byId.values()];
  }

  it('changes nothing more when diffed again after applying; only held deletions remain open', () => {
    fc.assert(
      fc.property(inputArb, ({ moodleCourses, stored, deletionGuardRatio, confirmed }) => {
        const confirmedDeletions = new Set(confirmed);
        const first = diff(moodleCourses, stored, { deletionGuardRatio, confirmedDeletions });
        const second = diff(moodleCourses, apply(first, stored), { deletionGuardRatio, confirmedDeletions });
        expect(second.created).toEqual([]);
        expect(second.changed).toEqual([]);
        expect(second.restored).toEqual([]);
        expect(second.unchanged).toBe(second.seen);
        // New courses enlarge the known set, so a held deletion may fall under the ratio on the next run.
        expect([...second.deleted, ...second.heldDeletions].sort((a, b) => a - b)).toEqual(first.heldDeletions);
      }),
    );
  });

  it('accounts for every course exactly once and never deletes one Moodle still lists', () => {
    fc.assert(
      fc.property(inputArb, ({ moodleCourses, stored, deletionGuardRatio, confirmed }) => {
        const result = diff(moodleCourses, stored, { deletionGuardRatio, confirmedDeletions: new Set(confirmed) });
        const listed = new Set(moodleCourses.map((course) => course.id));
        const fromList = [...result.created, ...result.changed, ...result.restored].map((entry) => entry.moodleId);
        expect(fromList.length + result.unchanged).toBe(result.seen);
        expect(new Set(fromList).size).toBe(fromList.length);
        const missing = stored
          .filter((record) => record.lmsDeletedAt === null && !listed.has(record.moodleId))
          .map((record) => record.moodleId)
          .sort((a, b) => a - b);
        expect([...result.deleted, ...result.heldDeletions].sort((a, b) => a - b)).toEqual(missing);
        expect(result.deletionGuard === null).toBe(result.heldDeletions.length === 0);
      }),
    );
  });
});
