import { buildActivityIndex } from '../../../src/domain/course-modules';
import {
  type EnrollmentSnapshot,
  computeEnrollmentSnapshot,
  snapshotHash,
} from '../../../src/domain/enrollment-snapshot';
import type { UserGrades } from '../../../src/domain/moodle-data';
import { alice, bongani, exampleSections } from './fixtures';

const index = buildActivityIndex(exampleSections, alice.gradeItems);

/** A deep copy whose objects list their keys in reverse order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, nested]) => [key, reverseKeys(nested)]),
  ) as T;
}

/** Every string anywhere in `value`. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(stringsIn);
}

function regradeQuiz(grades: UserGrades, gradeRaw: number): UserGrades {
  return {
    ...grades,
    gradeItems: grades.gradeItems.map((item) => (item.id === 3004 ? { ...item, gradeRaw } : item)),
  };
}

describe('computeEnrollmentSnapshot', () => {
  it("puts Alice's progress, course total and report card together", () => {
    const snapshot = computeEnrollmentSnapshot(index, alice);
    expect(snapshot.progress).toEqual({ percent: 100, graded: 3, total: 3 });
    expect(snapshot.grade).toMatchObject({ raw: 94.5, formatted: '94.50', letter: 'C+' });
    expect(snapshot.reportCard).toHaveLength(alice.gradeItems.length);
  });

  it('gives Bongani 0 of 3 with the same shared index', () => {
    const snapshot = computeEnrollmentSnapshot(index, bongani);
    expect(snapshot.progress).toEqual({ percent: 0, graded: 0, total: 3 });
    expect(snapshot.grade?.raw).toBeNull();
  });

  it('holds only plain text, though the example gradebook carries markup and entities', () => {
    const raw = [alice, bongani].flatMap((grades) => stringsIn(grades.gradeItems));
    const stored = [alice, bongani].flatMap((grades) => stringsIn(computeEnrollmentSnapshot(index, grades)));
    const markup = /<[a-z/!]|&[a-z#][a-z0-9]*;/i;
    expect(raw.filter((text) => markup.test(text)).length).toBeGreaterThan(0);
    expect(stored.filter((text) => markup.test(text))).toEqual([]);
  });

  it('gives null grade when the gradebook has no course total row', () => {
    const noTotal = { ...alice, gradeItems: alice.gradeItems.filter((item) => item.itemType !== 'course') };
    expect(computeEnrollmentSnapshot(index, noTotal).grade).toBeNull();
  });
});

describe('snapshotHash', () => {
  const aliceHash = snapshotHash(computeEnrollmentSnapshot(index, alice));

  it('is a sha256 hex digest', () => {
    expect(aliceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same inputs computed again from a fresh index', () => {
    const again = computeEnrollmentSnapshot(buildActivityIndex(exampleSections, bongani.gradeItems), alice);
    expect(snapshotHash(again)).toBe(aliceHash);
  });

  it('does not depend on the order of object keys', () => {
    const snapshot = computeEnrollmentSnapshot(index, alice);
    const reordered = reverseKeys(snapshot);
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(snapshot));
    expect(snapshotHash(reordered)).toBe(aliceHash);
  });

  it('changes when one grade changes', () => {
    expect(snapshotHash(computeEnrollmentSnapshot(index, regradeQuiz(alice, 9)))).not.toBe(aliceHash);
  });

  it('changes when the report card order changes', () => {
    const snapshot = computeEnrollmentSnapshot(index, alice);
    const reordered: EnrollmentSnapshot = { ...snapshot, reportCard: [...snapshot.reportCard].reverse() };
    expect(snapshotHash(reordered)).not.toBe(aliceHash);
  });

  it('tells students apart', () => {
    expect(snapshotHash(computeEnrollmentSnapshot(index, bongani))).not.toBe(aliceHash);
  });

  it('treats an absent unknown reason like an undefined one', () => {
    const snapshot = computeEnrollmentSnapshot(index, alice);
    const withUndefined = { ...snapshot, progress: { ...snapshot.progress, unknownReason: undefined } };
    expect(snapshotHash(withUndefined)).toBe(aliceHash);
  });
});
