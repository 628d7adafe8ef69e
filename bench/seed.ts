import { hashSeed, mulberry32 } from '../src/moodle-sim/random';
import { SITE_COURSE_ID, type SiteModel } from '../src/moodle-sim';
import type { Stores } from '../src/store';
import { newEnrollmentDocument, type EnrollmentDocument } from '../src/store/enrollments';
import { newStudentDocument, type StudentDocument } from '../src/store/students';

/** Documents per insertMany: large batches are what makes seeding 100,000 enrollments take seconds. */
const INSERT_BATCH = 5_000;

/** `courseId:moodleUserId`, the key the benchmark compares enrollment sets by. */
export function pairKey(courseId: number, moodleUserId: number): string {
  return `${courseId}:${moodleUserId}`;
}

export function siteCourseIds(site: SiteModel): number[] {
  return site
    .courses()
    .filter((course) => course.id !== SITE_COURSE_ID)
    .map((course) => course.id);
}

async function insertInBatches<T>(insert: (batch: T[]) => Promise<unknown>, documents: readonly T[]): Promise<void> {
  for (let start = 0; start < documents.length; start += INSERT_BATCH) {
    await insert(documents.slice(start, start + INSERT_BATCH));
  }
}

/**
 * One SMS student per Moodle student and one enrollment per (course,
 * student) the course's grade report covers, inserted in bulk straight into
 * the store collections (the stores' own document builders keep the shape).
 */
export async function seedEnrollments(
  stores: Stores,
  site: SiteModel,
  now: Date,
): Promise<{ students: number; enrollments: number }> {
  const students = new Map<number, StudentDocument>();
  const enrollments: EnrollmentDocument[] = [];
  for (const courseId of siteCourseIds(site)) {
    for (const user of site.students(courseId)) {
      let student = students.get(user.id);
      if (student === undefined) {
        student = newStudentDocument(
          {
            moodleUserId: user.id,
            fullName: `${user.firstname} ${user.lastname}`,
            email: user.email,
            idNumber: user.idnumber,
          },
          now,
        );
        students.set(user.id, student);
      }
      enrollments.push(newEnrollmentDocument({ courseId, studentId: student._id, moodleUserId: user.id }, now));
    }
  }
  await insertInBatches(
    (batch) => stores.students.collection.insertMany(batch, { ordered: false }),
    [...students.values()],
  );
  await insertInBatches((batch) => stores.enrollments.collection.insertMany(batch, { ordered: false }), enrollments);
  return { students: students.size, enrollments: enrollments.length };
}

/** The course sync creates courses as NEW; the SMS follows OPEN ones. */
export async function openAllCourses(stores: Stores, now: Date): Promise<number> {
  const result = await stores.courses.collection.updateMany(
    { state: 'NEW' },
    { $set: { state: 'OPEN', stateChangedAt: now, updatedAt: now } },
  );
  return result.modifiedCount;
}

/**
 * Gives about `share` of the (student, visible graded activity) cells a
 * different grade, as teachers would, and returns the enrollments that must
 * change as a result (a visible activity's new grade is always on the
 * student's report card).
 */
export function regradeCells(site: SiteModel, share: number, seed: string): Set<string> {
  const random = mulberry32(hashSeed(seed));
  const changed = new Set<string>();
  for (const courseId of siteCourseIds(site)) {
    const gradebook = site.gradebook(courseId);
    const items = site
      .gradeItems(courseId)
      .filter((item) => item.itemtype === 'mod' && item.cmid !== undefined && site.module(courseId, item.cmid).visible);
    for (const user of site.students(courseId)) {
      for (const item of items) {
        if (random() >= share || gradebook.override(item.id, user.id) !== undefined) continue;
        const cmid = item.cmid as number;
        const itemNumber = item.itemnumber ?? 0;
        const current = site.gradeOf(courseId, user.id, cmid, itemNumber);
        let value = item.grademin + Math.round(random() * (item.grademax - item.grademin));
        if (value === current) value = current === item.grademax ? item.grademin : item.grademax;
        site.grade(courseId, user.id, cmid, value, { itemNumber });
        changed.add(pairKey(courseId, user.id));
      }
    }
  }
  return changed;
}
