import type {
  CourseCustomField,
  CourseFormat,
  CourseGroup,
  ModName,
  ModuleContent,
  ModuleDate,
  SimCourse,
  UserCustomField,
} from './records';

/**
 * What tests and generators pass to SiteModel, in the records' field names;
 * every omitted field gets a plain Moodle default.
 */

export interface UserInput {
  id?: number;
  firstname: string;
  lastname: string;
  /** Default: lower-case first initial + last name. */
  username?: string;
  email?: string;
  idnumber?: string;
  department?: string;
  city?: string;
  country?: string;
  firstaccess?: number;
  lastaccess?: number;
  contextid?: number;
  customfields?: readonly UserCustomField[];
}

export interface SectionInput {
  id?: number;
  name: string;
  summary?: string;
}

export interface CourseInput {
  id?: number;
  shortname: string;
  fullname: string;
  idnumber?: string;
  categoryid?: number;
  categorysortorder?: number;
  summary?: string;
  format?: CourseFormat;
  startdate?: number;
  enddate?: number;
  visible?: boolean;
  groupmode?: number;
  hiddensections?: 0 | 1;
  newsitems?: number;
  enablecompletion?: boolean;
  timecreated?: number;
  timemodified?: number;
  contextid?: number;
  customfields?: readonly CourseCustomField[];
  groups?: readonly CourseGroup[];
  /** Section 0 first. Default: "General" and four topics. */
  sections?: readonly SectionInput[];
  /** Ids of the top grade category and of the course-total item (default: next free ids). */
  gradeCategoryId?: number;
  courseTotalItemId?: number;
}

/** Course settings `updateCourse` may change (as an editing teacher would). */
export type CourseChanges = Partial<
  Pick<
    SimCourse,
    'shortname' | 'fullname' | 'idnumber' | 'categoryid' | 'summary' | 'startdate' | 'enddate' | 'visible'
  >
>;

export interface GradeItemInput {
  id?: number;
  /** Default: the activity's name. */
  itemname?: string;
  /** Default: the item's position among the activity's items (workshop: 0 submission, 1 assessment). */
  itemnumber?: number;
  idnumber?: string;
  /** Default 0 (1 for scales). */
  grademin?: number;
  /** Default 100 (the scale length for scales). */
  grademax?: number;
  scale?: readonly string[];
  gradepass?: number;
  /** Grade category; default: the course's top category. */
  categoryid?: number;
}

export interface ActivityInput {
  id?: number;
  section: number;
  modname: ModName;
  name: string;
  instance?: number;
  contextid?: number;
  /** Default true. Adding to a hidden section hides the module, as in Moodle. */
  visible?: boolean;
  /** Default true; false = stealth ("available but not shown on course page"). */
  visibleoncoursepage?: boolean;
  description?: string;
  /** Default: automatic (2) for modules with a completion rule, else none (0). */
  completion?: 0 | 1 | 2;
  customdata?: string;
  dates?: readonly ModuleDate[];
  /** Resources only; default: a page body, a link or a PDF depending on the module. */
  content?: ModuleContent;
  /** None = an activity without grade item (choice, forum without ratings…). */
  gradeItems?: readonly GradeItemInput[];
}

export interface ManualItemInput extends GradeItemInput {
  itemname: string;
}

export interface GradeCategoryInput {
  id?: number;
  totalItemId?: number;
  /** Default: the course's top category. */
  parent?: number;
}
