import type { UserLookupField } from '../moodle';
import { Gradebook } from './gradebook';
import { IdSequence } from './id-sequence';
import { MODULE_KINDS, urlCustomData } from './module-kinds';
import type {
  GradeCell,
  ModName,
  ModuleContent,
  RoleShortName,
  SimCourse,
  SimEnrolment,
  SimGradeCategory,
  SimGradeItem,
  SimModule,
  SimSection,
  SimUser,
  SiteIdentity,
} from './records';
import { SeededGrades, type SeedPlan } from './seeded-grades';
import { SIMULATED_FUNCTIONS, isSimulatedFunction } from './function-names';
import type {
  ActivityInput,
  CourseChanges,
  CourseInput,
  GradeCategoryInput,
  GradeItemInput,
  ManualItemInput,
  UserInput,
} from './site-inputs';

/** Capabilities of the token user whose loss the simulator models (docs/moodle.md §8). */
export const MODELLED_CAPABILITIES = [
  'moodle/course:viewhiddencourses',
  'moodle/course:viewparticipants',
  'moodle/grade:viewall',
  'moodle/grade:viewhidden',
] as const;

export type Capability = (typeof MODELLED_CAPABILITIES)[number];

/**
 * How the token user fares in one course: `notenrolled` = cannot enter it
 * (requireloginerror / errorcoursecontextnotvalid), `nogradeaccess` = may
 * enter but not read other users' grades (nopermissiontoviewgrades).
 */
export type CourseAccess = 'granted' | 'notenrolled' | 'nogradeaccess';

/** The front page course id on every normal install. */
export const SITE_COURSE_ID = 1;

// Shared by the many records that have none or just one role: a 5,000-course site has 250,000 enrolments.
const NONE: readonly never[] = Object.freeze([]);
const SINGLE_ROLES = new Map<RoleShortName, readonly RoleShortName[]>();
const singleRole = (role: RoleShortName) => {
  let roles = SINGLE_ROLES.get(role);
  if (!roles) SINGLE_ROLES.set(role, (roles = Object.freeze([role])));
  return roles;
};

interface CourseState {
  course: SimCourse;
  sections: SimSection[];
  modules: Map<number, SimModule>;
  gradebook: Gradebook;
  enrolments: Map<number, SimEnrolment>;
  deleted: boolean;
  access: CourseAccess;
}

export interface SiteModelOptions {
  identity: SiteIdentity;
  /** The account the web-service token belongs to. */
  serviceUser: UserInput;
  /** Unix seconds, stamped on grades and course edits. Default: the wall clock. */
  now?: () => number;
}

/**
 * The in-memory Moodle site the simulator serves. Tests change it through the
 * methods below while the server runs; every response is built from its
 * current state. Read accessors return the live records: change them only
 * through the methods, which keep Moodle's side effects (section hiding,
 * enrolment indexes…) consistent.
 */
export class SiteModel {
  readonly identity: SiteIdentity;
  readonly serviceUser: SimUser;
  readonly now: () => number;
  readonly siteId = SITE_COURSE_ID;

  private readonly courseStates = new Map<number, CourseState>();
  private readonly usersById = new Map<number, SimUser>();
  /** Reverse enrolment index, for `enrolledcourses`. */
  private readonly coursesOfUser = new Map<number, number[]>();
  /** Lookup indexes for core_user_get_users_by_field, built on first use and dropped when users are added. */
  private readonly userIndexes = new Map<UserLookupField, Map<string, SimUser[]>>();
  private readonly ids = {
    course: new IdSequence(2),
    section: new IdSequence(1),
    module: new IdSequence(1),
    context: new IdSequence(100),
    gradeItem: new IdSequence(1),
    gradeCategory: new IdSequence(1),
    user: new IdSequence(2),
    instance: new Map<ModName, IdSequence>(),
  };

  private tokenValid = true;
  private wsEnabled = true;
  private debuggingOn = true;
  private precision: 17 | -1 = -1;
  private readonly functions = new Set<string>(SIMULATED_FUNCTIONS);
  private readonly capabilities = new Set<Capability>(MODELLED_CAPABILITIES);

  constructor(options: SiteModelOptions) {
    this.identity = options.identity;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.serviceUser = this.addUser(options.serviceUser);
  }

  // ---- web-service configuration -------------------------------------------------------------

  revokeToken(): void {
    this.tokenValid = false;
  }

  restoreToken(): void {
    this.tokenValid = true;
  }

  get tokenIsValid(): boolean {
    return this.tokenValid;
  }

  /** Off: server.php answers HTTP 200 with an empty body. */
  setWebServicesEnabled(enabled: boolean): void {
    this.wsEnabled = enabled;
  }

  get webServicesEnabled(): boolean {
    return this.wsEnabled;
  }

  /** Takes a function out of the token's service: site info stops listing it, calls get accessexception. */
  removeFunction(name: string): void {
    this.functions.delete(name);
  }

  addFunction(name: string): void {
    if (!isSimulatedFunction(name)) throw new Error(`the simulator does not implement ${name}`);
    this.functions.add(name);
  }

  serviceFunctions(): string[] {
    return [...this.functions].sort();
  }

  isFunctionInService(name: string): boolean {
    return this.functions.has(name);
  }

  removeCapability(capability: Capability): void {
    this.requireModelledCapability(capability);
    this.capabilities.delete(capability);
  }

  addCapability(capability: Capability): void {
    this.requireModelledCapability(capability);
    this.capabilities.add(capability);
  }

  hasCapability(capability: Capability): boolean {
    return this.capabilities.has(capability);
  }

  /** Site debugging ≥ NORMAL: error bodies carry `debuginfo` (default on, like the example responses in test/fixtures/moodle). */
  setDebugging(on: boolean): void {
    this.debuggingOn = on;
  }

  get debugging(): boolean {
    return this.debuggingOn;
  }

  /**
   * PHP's serialize_precision: 17 (php.ini files older than PHP 7.1) makes
   * json_encode print floats such as weights as 0.33333000000000002.
   */
  setSerializePrecision(precision: 17 | -1): void {
    this.precision = precision;
  }

  get serializePrecision(): 17 | -1 {
    return this.precision;
  }

  // ---- users -----------------------------------------------------------------------------------

  addUser(input: UserInput): SimUser {
    if (input.id !== undefined && this.usersById.has(input.id)) throw new Error(`user ${input.id} exists`);
    const id = this.ids.user.take(input.id);
    const username = input.username ?? `${input.firstname.charAt(0)}${input.lastname}`.toLowerCase().replace(/[^a-z0-9]/g, '');
    const user: SimUser = {
      id,
      username,
      firstname: input.firstname,
      lastname: input.lastname,
      email: input.email ?? `${username}@example.edu`,
      idnumber: input.idnumber ?? '',
      department: input.department,
      city: input.city,
      country: input.country ?? '',
      firstaccess: input.firstaccess ?? 0,
      lastaccess: input.lastaccess ?? 0,
      contextid: this.ids.context.take(input.contextid),
      customfields: input.customfields ?? NONE,
    };
    this.usersById.set(id, user);
    this.userIndexes.clear();
    return user;
  }

  /** A user meant to be enrolled as a student; enrol separately. */
  addStudent(input: UserInput): SimUser {
    return this.addUser(input);
  }

  user(userId: number): SimUser | undefined {
    return this.usersById.get(userId);
  }

  users(): SimUser[] {
    return [...this.usersById.values()];
  }

  /** Users whose field equals one of the values exactly, in id order. */
  usersBy(field: UserLookupField, values: readonly string[]): SimUser[] {
    let index = this.userIndexes.get(field);
    if (!index) {
      index = new Map();
      for (const user of this.usersById.values()) {
        const key = String(user[field]);
        const list = index.get(key);
        if (list) list.push(user);
        else index.set(key, [user]);
      }
      this.userIndexes.set(field, index);
    }
    const found = new Set(values.flatMap((value) => index.get(value) ?? []));
    return [...found].sort((a, b) => a.id - b.id);
  }

  /** Ids of the (not deleted) courses the user is enrolled in, in enrolment order. */
  enrolledCourseIds(userId: number): number[] {
    return (this.coursesOfUser.get(userId) ?? []).filter((courseId) => !this.state(courseId).deleted);
  }

  // ---- courses ---------------------------------------------------------------------------------

  addCourse(input: CourseInput): SimCourse {
    if (input.id !== undefined && this.courseStates.has(input.id)) throw new Error(`course ${input.id} exists`);
    const format = input.format ?? 'topics';
    if ((format === 'site') !== (input.id === SITE_COURSE_ID)) {
      throw new Error(`the front page is course ${SITE_COURSE_ID} and the only course with format "site"`);
    }
    const created = input.timecreated ?? this.now();
    const course: SimCourse = {
      id: format === 'site' ? SITE_COURSE_ID : this.ids.course.take(input.id),
      shortname: input.shortname,
      fullname: input.fullname,
      idnumber: input.idnumber ?? '',
      categoryid: format === 'site' ? 0 : (input.categoryid ?? 1),
      categorysortorder: input.categorysortorder ?? 10_000,
      summary: input.summary ?? '',
      format,
      startdate: input.startdate ?? (format === 'site' ? 0 : created),
      enddate: input.enddate ?? 0,
      visible: input.visible ?? true,
      groupmode: input.groupmode ?? 0,
      hiddensections: input.hiddensections ?? 1,
      newsitems: input.newsitems ?? 5,
      enablecompletion: input.enablecompletion ?? format !== 'site',
      timecreated: created,
      timemodified: input.timemodified ?? created,
      customfields: input.customfields ?? NONE,
      groups: input.groups ?? NONE,
      reportShowsGrades: true,
    };
    const sectionInputs = input.sections ?? [
      { name: 'General' },
      ...[1, 2, 3, 4].map((n) => ({ name: `Topic ${n}` })),
    ];
    const sections = sectionInputs.map((section, position) => ({
      id: this.ids.section.take(section.id),
      section: position,
      name: section.name,
      summary: section.summary ?? '',
      visible: true,
      cmids: [],
    }));
    const topCategoryId = this.ids.gradeCategory.take(input.gradeCategoryId);
    const courseTotal = this.newGradeItem(
      { id: input.courseTotalItemId, itemtype: 'course', iteminstance: topCategoryId },
      null,
    );
    this.courseStates.set(course.id, {
      course,
      sections,
      modules: new Map(),
      gradebook: new Gradebook(topCategoryId, courseTotal),
      enrolments: new Map(),
      deleted: false,
      access: 'granted',
    });
    return course;
  }

  updateCourse(courseId: number, changes: CourseChanges): SimCourse {
    const { course } = this.state(courseId);
    Object.assign(course, changes, { timemodified: this.now() });
    return course;
  }

  /** The course vanishes from listings; per-course calls answer invalidrecord (table course). */
  deleteCourse(courseId: number): void {
    if (courseId === SITE_COURSE_ID) throw new Error('the front page cannot be deleted');
    this.state(courseId).deleted = true;
  }

  /** Undoes deleteCourse (Moodle would restore under a new id; keeping it makes tests simpler). */
  restoreCourse(courseId: number): void {
    this.state(courseId).deleted = false;
  }

  isCourseDeleted(courseId: number): boolean {
    return this.state(courseId).deleted;
  }

  hasCourse(courseId: number): boolean {
    return this.courseStates.has(courseId);
  }

  /** Existing (not deleted) courses by id, the front page included, as core_course_get_courses lists them. */
  courses(): SimCourse[] {
    return [...this.courseStates.values()]
      .filter((state) => !state.deleted)
      .map((state) => state.course)
      .sort((a, b) => a.id - b.id);
  }

  /** Any course ever added, deleted ones included. */
  course(courseId: number): SimCourse {
    return this.state(courseId).course;
  }

  denyCourseAccess(courseId: number, how: Exclude<CourseAccess, 'granted'> = 'notenrolled'): void {
    this.state(courseId).access = how;
  }

  allowCourseAccess(courseId: number): void {
    this.state(courseId).access = 'granted';
  }

  courseAccess(courseId: number): CourseAccess {
    return this.state(courseId).access;
  }

  /** Course user-report setting "Show grade": off removes graderaw and the grade* fields. */
  setShowGrades(courseId: number, show: boolean): void {
    this.state(courseId).course.reportShowsGrades = show;
  }

  // ---- sections and modules --------------------------------------------------------------------

  sections(courseId: number): SimSection[] {
    return this.state(courseId).sections;
  }

  /** All modules in course-page order. */
  modules(courseId: number): SimModule[] {
    const state = this.state(courseId);
    return state.sections.flatMap((section) => section.cmids.map((cmid) => this.moduleOf(state, cmid)));
  }

  module(courseId: number, cmid: number): SimModule {
    return this.moduleOf(this.state(courseId), cmid);
  }

  addActivity(courseId: number, input: ActivityInput): SimModule {
    const state = this.state(courseId);
    const section = this.sectionOf(state, input.section);
    const kind = MODULE_KINDS[input.modname];
    const visible = input.visible ?? true;
    const content = input.content ?? defaultContent(input.modname, input.name, state.course.timecreated);
    const module: SimModule = {
      id: this.ids.module.take(input.id),
      course: courseId,
      sectionnum: section.section,
      modname: input.modname,
      name: input.name,
      instance: this.instanceIds(input.modname).take(input.instance),
      contextid: this.ids.context.take(input.contextid),
      // Moodle hides what is added to a hidden section and remembers the wish for when it is shown.
      visible: visible && section.visible,
      visibleold: visible,
      visibleoncoursepage: input.visibleoncoursepage ?? true,
      description: input.description,
      completion: input.completion ?? (kind.automaticCompletionRule ? 2 : 0),
      customdata: input.customdata ?? (content?.kind === 'url' ? urlCustomData(content.url) : kind.defaultCustomData),
      dates: input.dates ?? NONE,
      content,
    };
    if (state.modules.has(module.id)) throw new Error(`module ${module.id} exists`);
    state.modules.set(module.id, module);
    section.cmids.push(module.id);
    (input.gradeItems ?? []).forEach((itemInput, position) => {
      const item = this.newGradeItem(
        {
          ...itemInput,
          itemtype: 'mod',
          itemname: itemInput.itemname ?? input.name,
          itemmodule: input.modname,
          iteminstance: module.instance,
          itemnumber: itemInput.itemnumber ?? position,
          cmid: module.id,
        },
        itemInput.categoryid ?? state.gradebook.top.id,
      );
      state.gradebook.addItem(item);
    });
    return module;
  }

  setActivityVisible(courseId: number, cmid: number, visible: boolean): void {
    const module = this.module(courseId, cmid);
    module.visible = visible;
    module.visibleold = visible;
  }

  /** Stealth = available to students but not shown on the course page (visible stays 1). */
  setActivityStealth(courseId: number, cmid: number, stealth: boolean): void {
    const module = this.module(courseId, cmid);
    module.visibleoncoursepage = !stealth;
    if (stealth) {
      module.visible = true;
      module.visibleold = true;
    }
  }

  /** Hiding a section hides its modules and remembers their state; showing restores it (Moodle's visibleold). */
  setSectionVisible(courseId: number, sectionNumber: number, visible: boolean): void {
    const state = this.state(courseId);
    const section = this.sectionOf(state, sectionNumber);
    if (section.visible === visible) return;
    section.visible = visible;
    for (const cmid of section.cmids) {
      const module = this.moduleOf(state, cmid);
      if (visible) {
        module.visible = module.visibleold;
      } else {
        module.visibleold = module.visible;
        module.visible = false;
      }
    }
  }

  // ---- gradebook -------------------------------------------------------------------------------

  gradebook(courseId: number): Gradebook {
    return this.state(courseId).gradebook;
  }

  /** Every grade item in gradebook order (course total last). */
  gradeItems(courseId: number): SimGradeItem[] {
    return this.state(courseId).gradebook.orderedItems();
  }

  addGradeCategory(courseId: number, input: GradeCategoryInput = {}): SimGradeCategory {
    const { gradebook } = this.state(courseId);
    const categoryId = this.ids.gradeCategory.take(input.id);
    const total = this.newGradeItem({ id: input.totalItemId, itemtype: 'category', iteminstance: categoryId }, null);
    return gradebook.addCategory(input.parent ?? gradebook.top.id, categoryId, total);
  }

  addManualItem(courseId: number, input: ManualItemInput): SimGradeItem {
    const { gradebook } = this.state(courseId);
    const item = this.newGradeItem({ ...input, itemtype: 'manual' }, input.categoryid ?? gradebook.top.id);
    gradebook.addItem(item);
    return item;
  }

  /** Lets a generated course compute its grades on demand (see SeededGrades). */
  seedGrades(courseId: number, plan: SeedPlan): void {
    const { gradebook } = this.state(courseId);
    gradebook.useSeededGrades(new SeededGrades(plan, gradebook.gradedItems()));
  }

  /**
   * Sets (or with null removes) the grade an activity gave a student, as if a
   * teacher graded in the activity: dated now, feedback kept unless replaced.
   */
  grade(
    courseId: number,
    userId: number,
    cmid: number,
    value: number | null,
    opts: { feedback?: string; itemNumber?: number } = {},
  ): void {
    const { gradebook } = this.state(courseId);
    const item = this.activityItem(courseId, cmid, opts.itemNumber ?? 0);
    this.requireUser(userId);
    if (value === null) {
      gradebook.setActivityGrade(item.id, userId, null);
      return;
    }
    requireGradeInRange(item, value);
    const previous = gradebook.activityGrade(item.id, userId);
    const now = this.now();
    const cell: GradeCell = {
      value,
      feedback: opts.feedback ?? previous?.feedback ?? '',
      datesubmitted: previous?.datesubmitted ?? (item.itemmodule && MODULE_KINDS[item.itemmodule].hasSubmissions ? now : null),
      dategraded: now,
    };
    gradebook.setActivityGrade(item.id, userId, cell);
  }

  /** Overrides any grade item (totals included) in the gradebook; null removes the override. */
  overrideGrade(courseId: number, userId: number, itemId: number, value: number | null): void {
    const { gradebook } = this.state(courseId);
    this.requireUser(userId);
    if (value !== null) requireGradeInRange(gradebook.item(itemId), value);
    gradebook.setOverride(itemId, userId, value);
  }

  /** The grade the report shows for an activity's item (override first); null = none. */
  gradeOf(courseId: number, userId: number, cmid: number, itemNumber = 0): number | null {
    const item = this.activityItem(courseId, cmid, itemNumber);
    return this.state(courseId).gradebook.effectiveGrade(item.id, userId);
  }

  // ---- enrolments ------------------------------------------------------------------------------

  enrol(
    courseId: number,
    userId: number,
    role: RoleShortName = 'student',
    opts: { active?: boolean; groupids?: readonly number[] } = {},
  ): SimEnrolment {
    const state = this.state(courseId);
    this.requireUser(userId);
    const existing = state.enrolments.get(userId);
    if (existing) {
      if (!existing.roles.includes(role)) existing.roles = [...existing.roles, role];
      return existing;
    }
    const enrolment = { userid: userId, roles: singleRole(role), active: opts.active ?? true, groupids: opts.groupids ?? NONE };
    state.enrolments.set(userId, enrolment);
    const courses = this.coursesOfUser.get(userId);
    if (courses) courses.push(courseId);
    else this.coursesOfUser.set(userId, [courseId]);
    return enrolment;
  }

  /** Removes the enrolment; grades stay stored and reappear on re-enrolment, as Moodle's grade recovery does. */
  unenrol(courseId: number, userId: number): void {
    const state = this.state(courseId);
    if (!state.enrolments.delete(userId)) return;
    const courses = this.coursesOfUser.get(userId) ?? [];
    courses.splice(courses.indexOf(courseId), 1);
  }

  /** False = suspended enrolment: still listed by get_enrolled_users, left out of the grade report. */
  setEnrolmentActive(courseId: number, userId: number, active: boolean): void {
    const enrolment = this.state(courseId).enrolments.get(userId);
    if (!enrolment) throw new Error(`user ${userId} is not enrolled in course ${courseId}`);
    enrolment.active = active;
  }

  enrolments(courseId: number): SimEnrolment[] {
    return [...this.state(courseId).enrolments.values()];
  }

  /** Users the grade report covers with userid=0: role student and an active enrolment, by id. */
  students(courseId: number): SimUser[] {
    return this.enrolments(courseId)
      .filter((enrolment) => enrolment.active && enrolment.roles.includes('student'))
      .map((enrolment) => this.requireUser(enrolment.userid))
      .sort((a, b) => a.id - b.id);
  }

  // ---- internals -------------------------------------------------------------------------------

  private state(courseId: number): CourseState {
    const state = this.courseStates.get(courseId);
    if (!state) throw new Error(`no course ${courseId} on this site`);
    return state;
  }

  private sectionOf(state: CourseState, sectionNumber: number): SimSection {
    const section = state.sections[sectionNumber];
    if (!section) throw new Error(`course ${state.course.id} has no section ${sectionNumber}`);
    return section;
  }

  private moduleOf(state: CourseState, cmid: number): SimModule {
    const module = state.modules.get(cmid);
    if (!module) throw new Error(`course ${state.course.id} has no module ${cmid}`);
    return module;
  }

  private activityItem(courseId: number, cmid: number, itemNumber: number): SimGradeItem {
    const item = this.state(courseId)
      .gradebook.itemsOfModule(cmid)
      .find((candidate) => candidate.itemnumber === itemNumber);
    if (!item) throw new Error(`module ${cmid} of course ${courseId} has no grade item ${itemNumber}`);
    return item;
  }

  private requireUser(userId: number): SimUser {
    const user = this.usersById.get(userId);
    if (!user) throw new Error(`no user ${userId} on this site`);
    return user;
  }

  private requireModelledCapability(capability: string): void {
    if (!(MODELLED_CAPABILITIES as readonly string[]).includes(capability)) {
      throw new Error(`capability ${capability} is not modelled; known: ${MODELLED_CAPABILITIES.join(', ')}`);
    }
  }

  private instanceIds(modname: ModName): IdSequence {
    let sequence = this.ids.instance.get(modname);
    if (!sequence) this.ids.instance.set(modname, (sequence = new IdSequence(1)));
    return sequence;
  }

  private newGradeItem(
    input: GradeItemInput & Pick<SimGradeItem, 'itemtype'> & Partial<Pick<SimGradeItem, 'itemmodule' | 'iteminstance' | 'cmid'>>,
    categoryid: number | null,
  ): SimGradeItem {
    const isTotal = input.itemtype === 'course' || input.itemtype === 'category';
    const scale = input.scale;
    return {
      id: this.ids.gradeItem.take(input.id),
      itemtype: input.itemtype,
      itemname: isTotal ? null : (input.itemname ?? null),
      itemmodule: input.itemmodule ?? null,
      iteminstance: input.iteminstance ?? null,
      itemnumber: input.itemtype === 'mod' ? (input.itemnumber ?? 0) : null,
      idnumber: isTotal ? null : (input.idnumber ?? ''),
      categoryid,
      cmid: input.cmid,
      grademin: input.grademin ?? (scale ? 1 : 0),
      grademax: input.grademax ?? (scale ? scale.length : 100),
      scale,
      gradepass: input.gradepass,
    };
  }
}

function requireGradeInRange(item: SimGradeItem, value: number): void {
  const isScaleIndex = !item.scale || Number.isInteger(value);
  if (!Number.isFinite(value) || value < item.grademin || value > item.grademax || !isScaleIndex) {
    throw new RangeError(`grade ${value} is outside ${item.grademin}..${item.grademax} of grade item ${item.id}`);
  }
}

function defaultContent(modname: ModName, name: string, time: number): ModuleContent | undefined {
  switch (modname) {
    case 'page':
      return { kind: 'page', timemodified: time };
    case 'url':
      return { kind: 'url', url: `https://www.example.org/${encodeURIComponent(name.toLowerCase())}`, timemodified: time };
    case 'resource':
      return { kind: 'file', filename: 'handout.pdf', mimetype: 'application/pdf', filesize: 184_320, timemodified: time };
    default:
      return undefined;
  }
}
