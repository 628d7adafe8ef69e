/**
 * The simulated site's records. Fields carry Moodle's own names (its
 * web-service keys and database columns, all lower case) so that a test can
 * write `course.shortname` just as it reads a response; the few fields Moodle
 * has no name for are camelCase. Flags are booleans here and become Moodle's
 * 0/1 or true/false only in `functions/`.
 */

export type RoleShortName = 'manager' | 'editingteacher' | 'teacher' | 'student';

/** Role ids of a default Moodle install. */
export const ROLE_IDS: Readonly<Record<RoleShortName, number>> = {
  manager: 1,
  editingteacher: 3,
  teacher: 4,
  student: 5,
};

export interface SiteIdentity {
  sitename: string;
  /** e.g. "4.5 (Build: 20241007)" */
  release: string;
  /** Numeric build version as Moodle sends it, e.g. "2024100700". */
  version: string;
  lang: string;
  theme: string;
  /** `userprivateaccesskey` of the service account. */
  userprivateaccesskey: string;
}

export interface UserCustomField {
  type: string;
  value: string;
  name: string;
  shortname: string;
}

export interface SimUser {
  id: number;
  username: string;
  firstname: string;
  lastname: string;
  email: string;
  /** SMS student id on most sites; may be empty. */
  idnumber: string;
  department?: string;
  city?: string;
  country: string;
  /** Unix seconds; 0 = never. */
  firstaccess: number;
  lastaccess: number;
  /** User context id, part of the profile picture URL. */
  contextid: number;
  customfields: readonly UserCustomField[];
}

export type CourseFormat = 'site' | 'topics' | 'weeks';

export interface CourseCustomField {
  name: string;
  shortname: string;
  type: string;
  value: string;
}

export interface CourseGroup {
  id: number;
  name: string;
}

export interface SimCourse {
  id: number;
  shortname: string;
  fullname: string;
  /** SMS course code on most sites; may be empty. */
  idnumber: string;
  categoryid: number;
  categorysortorder: number;
  summary: string;
  format: CourseFormat;
  startdate: number;
  enddate: number;
  visible: boolean;
  groupmode: number;
  /** Format option: 1 = hidden sections are invisible to students, 0 = shown as unavailable. */
  hiddensections: 0 | 1;
  newsitems: number;
  enablecompletion: boolean;
  timecreated: number;
  timemodified: number;
  /** The course context (level 50), which the course's events name. */
  contextid: number;
  customfields: readonly CourseCustomField[];
  groups: readonly CourseGroup[];
  /** Course user-report setting "Show grade"; off removes every grade field from the grade report. */
  reportShowsGrades: boolean;
}

export interface SimSection {
  id: number;
  /** Position in the course; 0 is the general section. */
  section: number;
  name: string;
  summary: string;
  visible: boolean;
  /** Module ids in display order. */
  cmids: number[];
}

export type ModName =
  'assign' | 'quiz' | 'workshop' | 'forum' | 'lesson' | 'choice' | 'feedback' | 'label' | 'page' | 'url' | 'resource';

export interface ModuleDate {
  label: string;
  timestamp: number;
  dataid: string;
}

/** What a resource module hands out; drives `contents` in core_course_get_contents. */
export type ModuleContent =
  | { kind: 'page'; timemodified: number }
  | { kind: 'url'; url: string; timemodified: number }
  | { kind: 'file'; filename: string; mimetype: string; filesize: number; timemodified: number };

export interface SimModule {
  /** The cmid. */
  id: number;
  course: number;
  /** Position of the module's section. */
  sectionnum: number;
  modname: ModName;
  name: string;
  /** Id in the module's own table (= grade item `iteminstance`). */
  instance: number;
  contextid: number;
  visible: boolean;
  /** Visibility to restore when a hidden section is shown again (Moodle's `visibleold`). */
  visibleold: boolean;
  visibleoncoursepage: boolean;
  /** Shown on the course page (labels always have one). */
  description?: string;
  /** 0 none, 1 manual, 2 automatic. */
  completion: 0 | 1 | 2;
  /** JSON text, as Moodle sends `customdata`. */
  customdata: string;
  dates: readonly ModuleDate[];
  content?: ModuleContent;
}

export type GradeItemType = 'mod' | 'manual' | 'category' | 'course';

export interface SimGradeItem {
  id: number;
  itemtype: GradeItemType;
  /** Null for category and course totals. */
  itemname: string | null;
  itemmodule: ModName | null;
  /** Activity instance; the category id for category and course totals. */
  iteminstance: number | null;
  itemnumber: number | null;
  idnumber: string | null;
  /** Parent grade category; null for totals. */
  categoryid: number | null;
  /** Set for `mod` items. */
  cmid?: number;
  grademin: number;
  grademax: number;
  /** Scale labels, lowest first; grades are then 1-based indexes. */
  scale?: readonly string[];
  /** Grade to pass; the formatted grade then carries a pass/fail icon. */
  gradepass?: number;
}

export interface SimGradeCategory {
  id: number;
  /** The category-total (or, for the top category, course-total) grade item. */
  totalItemId: number;
  /** Grade items and sub-categories in gradebook order. */
  children: GradeTreeNode[];
}

export type GradeTreeNode = { kind: 'item'; itemId: number } | { kind: 'category'; category: SimGradeCategory };

export interface SimEnrolment {
  userid: number;
  /** Replaced, never mutated: enrolments with the same roles share one array. */
  roles: readonly RoleShortName[];
  /** False for a suspended enrolment. */
  active: boolean;
  groupids: readonly number[];
}

/** One grade as an activity (or a teacher in the gradebook) set it. */
export interface GradeCell {
  value: number | null;
  feedback: string;
  datesubmitted: number | null;
  dategraded: number | null;
}
