import fs from 'node:fs';
import path from 'node:path';
import { type CourseRecord, toCourseMoodleFields } from '../../../src/domain/course';
import type { CourseModule, CourseSection, GradeItem, MoodleCourse, UserGrades } from '../../../src/domain/moodle-data';

/**
 * Typed versions of the hand-written Moodle examples in test/fixtures/moodle, plus small builders for
 * focused cases. The mapper is deliberately minimal: the real parsers live in src/moodle.
 */

const EXAMPLES_DIR = path.resolve(__dirname, '../../fixtures/moodle');

type Raw = Record<string, unknown>;

function readExample(name: string): unknown {
  const file = path.join(EXAMPLES_DIR, name);
  if (!fs.existsSync(file)) {
    throw new Error(`Moodle example ${file} is missing: it belongs in test/fixtures/moodle`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const optional = <T>(raw: Raw, key: string): T | undefined => (key in raw ? (raw[key] as T) : undefined);
const flag = (value: unknown): boolean => value === 1 || value === true;

function toMoodleCourse(raw: Raw): MoodleCourse {
  return {
    id: raw.id as number,
    shortName: raw.shortname as string,
    fullName: raw.fullname as string,
    displayName: raw.displayname as string,
    categoryId: raw.categoryid as number,
    format: raw.format as string,
    idNumber: optional<string>(raw, 'idnumber'),
    visible: 'visible' in raw ? flag(raw.visible) : undefined,
    startDate: raw.startdate as number,
    endDate: raw.enddate as number,
    timeModified: optional<number>(raw, 'timemodified'),
  };
}

function toCourseSection(raw: Raw): CourseSection {
  return {
    id: raw.id as number,
    name: raw.name as string,
    section: raw.section as number,
    visible: 'visible' in raw ? flag(raw.visible) : true,
    modules: (raw.modules as Raw[]).map(
      (module): CourseModule => ({
        id: module.id as number,
        name: module.name as string,
        modName: module.modname as string,
        instance: module.instance as number,
        visible: flag(module.visible),
        visibleOnCoursePage: flag(module.visibleoncoursepage),
        userVisible: flag(module.uservisible),
      }),
    ),
  };
}

/** Keys Moodle omits stay absent (`gradeRaw` absent and null mean different things). */
function toGradeItem(raw: Raw): GradeItem {
  const item: GradeItem = {
    id: raw.id as number,
    itemName: raw.itemname as string | null,
    itemType: raw.itemtype as string,
    itemModule: raw.itemmodule as string | null,
    itemInstance: raw.iteminstance as number | null,
    itemNumber: raw.itemnumber as number | null,
    idNumber: raw.idnumber as string | null,
    categoryId: raw.categoryid as number | null,
  };
  const optionalKeys: [keyof GradeItem, string][] = [
    ['cmid', 'cmid'],
    ['weightRaw', 'weightraw'],
    ['weightFormatted', 'weightformatted'],
    ['status', 'status'],
    ['gradeRaw', 'graderaw'],
    ['gradeDateSubmitted', 'gradedatesubmitted'],
    ['gradeDateGraded', 'gradedategraded'],
    ['gradeIsHidden', 'gradeishidden'],
    ['gradeIsOverridden', 'gradeisoverridden'],
    ['gradeFormatted', 'gradeformatted'],
    ['gradeMin', 'grademin'],
    ['gradeMax', 'grademax'],
    ['rangeFormatted', 'rangeformatted'],
    ['percentageFormatted', 'percentageformatted'],
    ['letterGradeFormatted', 'lettergradeformatted'],
    ['feedback', 'feedback'],
    ['feedbackFormat', 'feedbackformat'],
  ];
  for (const [key, rawKey] of optionalKeys) {
    if (rawKey in raw) Object.assign(item, { [key]: raw[rawKey] });
  }
  return item;
}

function toUserGrades(raw: Raw): UserGrades {
  return {
    courseId: raw.courseid as number,
    userId: raw.userid as number,
    userFullName: raw.userfullname as string,
    userIdNumber: optional<string>(raw, 'useridnumber'),
    gradeItems: (raw.gradeitems as Raw[]).map(toGradeItem),
  };
}

export const SITE_ID = 1;

/** Front page (1), ENG201 (101, visible) and BIO110 (102, hidden). */
export const exampleCourses: MoodleCourse[] = (readExample('get_courses.json') as Raw[]).map(toMoodleCourse);

/** Course 101's sections 0–3 (see the examples README for what each module demonstrates). */
export const exampleSections: CourseSection[] = (readExample('get_contents.json') as Raw[]).map(toCourseSection);

const exampleGradebook = ((readExample('grade_items.json') as Raw).usergrades as Raw[]).map(toUserGrades);

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
