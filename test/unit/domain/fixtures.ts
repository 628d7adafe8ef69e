import fs from 'node:fs';
import path from 'node:path';
import { type CourseRecord, toCourseMoodleFields } from '../../../src/domain/course';
import type { CourseModule, CourseSection, GradeItem, MoodleCourse, UserGrades } from '../../../src/domain/moodle-data';
import { parseCourseContents, parseCourses, parseGradeItems, parseMoodleBody } from '../../../src/moodle';

/**
 * The hand-written Moodle examples in test/fixtures/moodle, read the way the client reads a live answer
 * (`parseMoodleBody`, then the function's parser from src/moodle), so the domain is tested on exactly the
 * shapes it receives; plus small builders for focused cases.
 */

const EXAMPLES_DIR = path.resolve(__dirname, '../../fixtures/moodle');

/** The example `name` as a successful HTTP answer to `wsfunction`, parsed by `parse`. */
function parseExample<T>(name: string, wsfunction: string, parse: (json: unknown) => T): T {
  const file = path.join(EXAMPLES_DIR, name);
  if (!fs.existsSync(file)) {
    throw new Error(`Moodle example ${file} is missing: it belongs in test/fixtures/moodle`);
  }
  const body = fs.readFileSync(file, 'utf8');
  return parse(parseMoodleBody({ wsfunction }, { status: 200, headers: {}, body }));
}

export const SITE_ID = 1;

/** Front page (1), ENG201 (101, visible) and BIO110 (102, hidden). */
export const exampleCourses: MoodleCourse[] = parseExample('get_courses.json', 'core_course_get_courses', parseCourses);

/** Course 101's sections 0–3 (see the examples README for what each module demonstrates). */
export const exampleSections: CourseSection[] = parseExample(
  'get_contents.json',
  'core_course_get_contents',
  parseCourseContents,
);

const exampleGradebook: UserGrades[] = parseExample(
  'grade_items.json',
  'gradereport_user_get_grade_items',
  parseGradeItems,
);

function gradebookOf(userId: number): UserGrades {
  const grades = exampleGradebook.find((entry) => entry.userId === userId);
  if (grades === undefined) throw new Error(`grade_items.json has no row for user ${userId}`);
  return grades;
}

/** Graded on everything visible; feedback HTML and pass-icon markup on the essay. */
export const alice = gradebookOf(2001);
/** Nothing graded: every `graderaw` null. */
export const bongani = gradebookOf(2002);

// Builders for focused cases: only what a test states differs from an ordinary visible course or activity.

export function moodleCourse(id: number, overrides: Partial<MoodleCourse> = {}): MoodleCourse {
  return {
    id,
    shortName: `C${id}`,
    fullName: `Course ${id}`,
    displayName: `Course ${id}`,
    categoryId: 2,
    format: 'topics',
    idNumber: `SMS-${id}`,
    visible: true,
    startDate: 1_736_985_600,
    endDate: 0,
    ...overrides,
  };
}

/** The record a previous sync would have stored for `course`, already triaged. */
export function storedCourse(course: MoodleCourse, overrides: Partial<CourseRecord> = {}): CourseRecord {
  return { moodleId: course.id, state: 'OPEN', moodle: toCourseMoodleFields(course), lmsDeletedAt: null, ...overrides };
}

export function courseModule(overrides: Partial<CourseModule> & Pick<CourseModule, 'id'>): CourseModule {
  return {
    name: `Module ${overrides.id}`,
    modName: 'assign',
    instance: overrides.id,
    visible: true,
    visibleOnCoursePage: true,
    userVisible: true,
    ...overrides,
  };
}

export function section(modules: CourseModule[], overrides: Partial<CourseSection> = {}): CourseSection {
  return { id: 1, name: 'Section', section: 1, visible: true, modules, ...overrides };
}

/** A `mod` grade item for module `cmid` of the module builder (instance = cmid), not graded. */
export function modItem(overrides: Partial<GradeItem> & Pick<GradeItem, 'id'>): GradeItem {
  return {
    itemName: `Item ${overrides.id}`,
    itemType: 'mod',
    itemModule: 'assign',
    itemInstance: overrides.cmid ?? null,
    itemNumber: 0,
    idNumber: null,
    categoryId: 1,
    gradeRaw: null,
    ...overrides,
  };
}

export function userGrades(gradeItems: GradeItem[]): UserGrades {
  return { courseId: 900, userId: 5, userFullName: 'Test Student', gradeItems };
}
