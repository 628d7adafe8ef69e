import {
  gradesAsOf,
  gradesFreshness,
  isStale,
  parseStaleCourseKey,
  STALE_AFTER_INTERVALS,
  staleCourseKey,
  staleCoursesPage,
  staleCutoff,
  type FollowedCourse,
} from '../../../src/domain/grade-staleness';
import { formatAge } from '../../../src/commands/status';

const MINUTE = 60_000;
const now = new Date('2026-03-02T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * MINUTE);
/** Hourly enrollment syncs: grades are stale past two hours. */
const cutoff = staleCutoff(now, 60 * MINUTE);

function course(courseId: number, syncedMinutesAgo: number | null, createdMinutesAgo = 10_000): FollowedCourse {
  return {
    courseId,
    state: 'OPEN',
    createdAt: minutesAgo(createdMinutesAgo),
    followedAt: null,
    syncedAt: syncedMinutesAgo === null ? null : minutesAgo(syncedMinutesAgo),
  };
}

describe('grade staleness', () => {
  it('is two enrollment-sync intervals without a successful sync; exactly two is not yet stale', () => {
    expect(STALE_AFTER_INTERVALS).toBe(2);
    expect(cutoff).toEqual(minutesAgo(120));
    expect(isStale(course(1, 120), cutoff)).toBe(false);
    expect(isStale(course(1, 120 + 1 / 60_000), cutoff)).toBe(true);
    expect(isStale(course(1, 5), cutoff)).toBe(false);
  });

  it('counts a course never synced from its creation', () => {
    expect(gradesAsOf(course(1, null, 30))).toEqual(minutesAgo(30));
    expect(isStale(course(1, null, 30), cutoff)).toBe(false);
    expect(isStale(course(1, null, 121), cutoff)).toBe(true);
    // A sync, however old, is what counts once there was one.
    expect(gradesAsOf(course(1, 300, 30))).toEqual(minutesAgo(300));
  });

  it('counts a course never synced from when the SMS began to follow it, if it knew the course before', () => {
    const knownLong = { ...course(1, null, 10_000), followedAt: minutesAgo(5) };
    expect(gradesAsOf(knownLong)).toEqual(minutesAgo(5));
    expect(isStale(knownLong, cutoff)).toBe(false);
    expect(isStale({ ...knownLong, followedAt: minutesAgo(121) }, cutoff)).toBe(true);
    expect(gradesAsOf({ ...knownLong, syncedAt: minutesAgo(300) })).toEqual(minutesAgo(300));
  });

  it('counts the stale courses and dates the oldest data among all of them', () => {
    const courses = [course(1, 5), course(2, 121), course(3, null, 400), course(4, 120)];
    expect(gradesFreshness(courses, now, cutoff)).toEqual({
      staleCount: 2,
      oldestAsOf: minutesAgo(400),
      oldestAgeSeconds: 400 * 60,
    });
    // Nothing stale still has an oldest course.
    expect(gradesFreshness([course(1, 5), course(2, 30)], now, cutoff)).toEqual({
      staleCount: 0,
      oldestAsOf: minutesAgo(30),
      oldestAgeSeconds: 30 * 60,
    });
    expect(gradesFreshness([], now, cutoff)).toEqual({ staleCount: 0, oldestAsOf: null, oldestAgeSeconds: null });
  });

  it('lists the stale courses oldest first, ties by id, and pages on from a key', () => {
    const courses = [
      course(5, 500),
      course(1, 5),
      course(3, 200),
      course(2, 500),
      course(4, null, 300),
      course(6, 120),
    ];
    const first = staleCoursesPage(courses, cutoff, { first: 2 });
    expect(first.items.map((item) => item.courseId)).toEqual([2, 5]);
    expect(first).toMatchObject({ hasNextPage: true, totalCount: 4 });

    const after = parseStaleCourseKey(staleCourseKey(first.items[1]!))!;
    expect(after).toEqual({ asOfMs: minutesAgo(500).getTime(), courseId: 5 });
    const second = staleCoursesPage(courses, cutoff, { first: 2, after });
    expect(second.items.map((item) => item.courseId)).toEqual([4, 3]);
    expect(second).toMatchObject({ hasNextPage: false, totalCount: 4 });

    // Course 5 synced since the first page: the next page still starts after where that page ended.
    const synced = courses.map((item) => (item.courseId === 5 ? course(5, 1) : item));
    expect(staleCoursesPage(synced, cutoff, { first: 2, after }).items.map((item) => item.courseId)).toEqual([4, 3]);
  });

  it('reads back only the keys it makes', () => {
    expect(parseStaleCourseKey('1772445600000.42')).toEqual({ asOfMs: 1772445600000, courseId: 42 });
    for (const text of ['', '42', '.42', '1.', '-1.42', '1.-42', '1e3.42', '1.42.3', ' 1.42', '{"$gt": ""}', '1.2.x']) {
      expect(parseStaleCourseKey(text)).toBeNull();
    }
    expect(parseStaleCourseKey('99999999999999999.1')).toBeNull();
  });
});

describe('formatAge (sms-sync status)', () => {
  it.each([
    [0, '0s'],
    [40.9, '40s'],
    [7 * 60 + 12, '7m 12s'],
    [2 * 3600, '2h'],
    [2 * 3600 + 5 * 60 + 9, '2h 5m'],
    [3 * 86_400 + 4 * 3600 + 59, '3d 4h'],
    [-5, '0s'],
  ])('%s seconds read %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });
});
