/**
 * The shapes the domain computes on: what it needs from Moodle, in the
 * project's own terms (`docs/moodle.md`). The Moodle client (`src/moodle/`)
 * parses validated responses into them; nothing here knows the wire format.
 *
 * Optional fields are the ones Moodle omits depending on version, the token
 * user's capabilities or the course's user-report settings (docs/moodle.md §3, §5).
 * Formatted strings are kept exactly as Moodle sent them (HTML entities and
 * markup included; `plain-text.ts` converts them where SMS values are
 * computed); numbers are numbers.
 */

export interface SiteInfo {
  siteName: string;
  siteUrl: string;
  userId: number;
  username: string;
  /** Names of the functions the token's external service allows. */
  functions: string[];
  release?: string;
  version?: string;
  /** Id of the front-page course (1 on every normal install). */
  siteId: number;
}

export interface MoodleCourse {
  id: number;
  shortName: string;
  fullName: string;
  displayName: string;
  categoryId: number;
  /** `site` for the front page. */
  format: string;
  /** SMS course code on most sites; needs `moodle/course:update`. */
  idNumber?: string;
  /** Needs `moodle/course:update`; absent means unknown, not hidden. */
  visible?: boolean;
  /** Unix seconds; 0 means none. */
  startDate: number;
  endDate: number;
  timeModified?: number;
}

export interface CourseModule {
  /** The cmid, which grade items point back to. */
  id: number;
  name: string;
  /** Plugin name without `mod_`: assign, quiz, label… */
  modName: string;
  instance: number;
  visible: boolean;
  /** False for stealth modules ("available but not shown on course page"). */
  visibleOnCoursePage: boolean;
  userVisible: boolean;
}

export interface CourseSection {
  id: number;
  name: string;
  /** Position; 0 is the general section. */
  section: number;
  /** Absent on some formats; absent means visible. */
  visible: boolean;
  modules: CourseModule[];
}

export type GradeItemType = 'course' | 'category' | 'mod' | 'manual' | (string & {});

export interface GradeItem {
  id: number;
  /** Null for course and category totals. */
  itemName: string | null;
  itemType: GradeItemType;
  itemModule: string | null;
  itemInstance: number | null;
  itemNumber: number | null;
  idNumber: string | null;
  categoryId: number | null;
  /** Present only for `mod` items whose activity still exists. */
  cmid?: number;
  weightRaw?: number;
  weightFormatted?: string;
  status?: string;
  /**
   * `undefined` when the report does not show grades at all (course setting
   * "Show grade" off); `null` when the student has no grade.
   */
  gradeRaw?: number | null;
  gradeDateSubmitted?: number | null;
  gradeDateGraded?: number | null;
  gradeIsHidden?: boolean;
  gradeIsOverridden?: boolean | null;
  gradeFormatted?: string;
  gradeMin?: number;
  gradeMax?: number;
  rangeFormatted?: string;
  percentageFormatted?: string;
  letterGradeFormatted?: string;
  feedback?: string;
  feedbackFormat?: number;
}

export interface UserGrades {
  courseId: number;
  userId: number;
  userFullName: string;
  userIdNumber?: string;
  gradeItems: GradeItem[];
}

export interface MoodleUser {
  id: number;
  username?: string;
  firstName?: string;
  lastName?: string;
  fullName: string;
  email?: string;
  idNumber?: string;
  /** Role shortnames in the course (enrolled-users only). */
  roles?: string[];
}

/**
 * How reading Moodle can fail, as the sync tells the cases apart: the client
 * classifies every failure into one of these, and the domain derives codes and
 * connection states from them.
 */
export type MoodleErrorKind =
  | 'invalid-token'
  | 'account-blocked'
  | 'function-not-allowed'
  | 'function-unknown'
  | 'missing-capability'
  | 'webservices-disabled'
  | 'course-not-found'
  | 'course-inaccessible'
  | 'user-not-found'
  | 'maintenance'
  | 'unreachable'
  | 'timeout'
  | 'server-error'
  | 'rate-limited'
  | 'invalid-parameter'
  | 'protocol'
  | 'moodle-error';
