import type { UserLookupField } from '../../moodle';
import { IdSequence } from '../id-sequence';
import type { RoleShortName, SiteIdentity, SimUser } from '../records';
import type { SeedPlan } from '../seeded-grades';
import type {
  ActivityInput,
  CourseChanges,
  CourseInput,
  GradeCategoryInput,
  ManualItemInput,
  UserInput,
} from '../site-inputs';
import { Catalog, SITE_COURSE_ID, type CourseAccess } from './catalog';
import { SiteChanges, type SiteChangeListener } from './changes';
import { Enrolments, type EnrolOptions } from './enrolments';
import { Gradebooks, type GradeOptions } from './gradebooks';
import { ServiceConfig, type Capability } from './service-config';
import { UserDirectory } from './users';

export { CourseInputError, SITE_COURSE_ID, type CourseAccess } from './catalog';
export type { SiteChange, SiteChangeListener } from './changes';
export type { EnrolOptions } from './enrolments';
export type { GradeOptions } from './gradebooks';
export { MODELLED_CAPABILITIES, type Capability } from './service-config';

export interface SiteModelOptions {
  identity: SiteIdentity;
  /** The account the web-service token belongs to. */
  serviceUser: UserInput;
  /** Unix seconds, stamped on grades and course edits. Default: the wall clock. */
  now?: () => number;
}

/**
 * The in-memory Moodle site the simulator serves. Tests change it while the
 * server runs, and every response is built from its current state. Read
 * accessors return the live records: change them only through the methods,
 * which keep Moodle's side effects (section hiding, enrolment indexes…)
 * consistent.
 *
 * The state lives in one part per concern, grouped below as they are; each
 * member hands over to its part, where its documentation is. This class is
 * the one surface tests, generators and web-service functions use, and it
 * does itself only what spans parts: a new course opens a gradebook and an
 * enrolment list, a new activity adds its grade items.
 *
 * `onChange` listeners are told of each change after it is made (see
 * changes.ts): by the part that makes it, or here, once every part has done
 * its share, for what spans parts.
 */
export class SiteModel {
  readonly identity: SiteIdentity;
  readonly serviceUser: SimUser;
  readonly siteId = SITE_COURSE_ID;
  /** The site clock, in unix seconds: what grades, course edits and events are stamped with. */
  readonly now: () => number;

  readonly #service = new ServiceConfig();
  readonly #changes = new SiteChanges();
  readonly #users: UserDirectory;
  readonly #catalog: Catalog;
  readonly #gradebooks: Gradebooks;
  readonly #enrolments: Enrolments;

  constructor(options: SiteModelOptions) {
    const now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const contextIds = new IdSequence(100);
    this.now = now;
    this.identity = options.identity;
    this.#users = new UserDirectory(contextIds);
    this.#catalog = new Catalog(contextIds, now, this.#changes);
    this.#gradebooks = new Gradebooks(this.#users, now, this.#changes);
    this.#enrolments = new Enrolments(this.#catalog, this.#users, this.#changes);
    this.serviceUser = this.addUser(options.serviceUser);
  }

  /** Adds a listener of every change made from now on (the simulator's events); returns what removes it. */
  readonly onChange = (listener: SiteChangeListener) => this.#changes.listen(listener);

  // ---- web-service configuration: service-config.ts ------------------------------------------

  readonly revokeToken = () => this.#service.revokeToken();
  readonly restoreToken = () => this.#service.restoreToken();
  readonly setWebServicesEnabled = (enabled: boolean) => this.#service.setWebServicesEnabled(enabled);
  readonly removeFunction = (name: string) => this.#service.removeFunction(name);
  readonly addFunction = (name: string) => this.#service.addFunction(name);
  readonly serviceFunctions = () => this.#service.serviceFunctions();
  readonly isFunctionInService = (name: string) => this.#service.isFunctionInService(name);
  readonly removeCapability = (capability: Capability) => this.#service.removeCapability(capability);
  readonly addCapability = (capability: Capability) => this.#service.addCapability(capability);
  readonly hasCapability = (capability: Capability) => this.#service.hasCapability(capability);
  readonly setDebugging = (on: boolean) => this.#service.setDebugging(on);
  readonly setSerializePrecision = (precision: 17 | -1) => this.#service.setSerializePrecision(precision);

  get tokenIsValid(): boolean {
    return this.#service.tokenIsValid;
  }

  get webServicesEnabled(): boolean {
    return this.#service.webServicesEnabled;
  }

  get debugging(): boolean {
    return this.#service.debugging;
  }

  get serializePrecision(): 17 | -1 {
    return this.#service.serializePrecision;
  }

  // ---- users: users.ts -------------------------------------------------------------------------

  readonly addUser = (input: UserInput) => this.#users.add(input);
  /** Reads better where the user is about to be enrolled as a student (which is a separate step). */
  readonly addStudent = this.addUser;
  readonly user = (userId: number) => this.#users.find(userId);
  readonly usersBy = (field: UserLookupField, values: readonly string[]) => this.#users.by(field, values);

  // ---- courses, sections and modules: catalog.ts, course-contents.ts ----------------------------

  readonly addCourse = (input: CourseInput) => {
    const course = this.#catalog.addCourse(input);
    this.#gradebooks.open(course.id, input);
    this.#enrolments.open(course.id);
    this.#changes.tell({ kind: 'course-added', courseId: course.id });
    return course;
  };
  readonly reserveCourseIds = (courseId: number) => this.#catalog.reserveCourseIds(courseId);
  readonly updateCourse = (courseId: number, changes: CourseChanges) => this.#catalog.updateCourse(courseId, changes);
  readonly deleteCourse = (courseId: number) => this.#catalog.deleteCourse(courseId);
  readonly restoreCourse = (courseId: number) => this.#catalog.restoreCourse(courseId);
  readonly isCourseDeleted = (courseId: number) => this.#catalog.isCourseDeleted(courseId);
  readonly hasCourse = (courseId: number) => this.#catalog.hasCourse(courseId);
  readonly courses = () => this.#catalog.courses();
  readonly course = (courseId: number) => this.#catalog.course(courseId);
  readonly denyCourseAccess = (courseId: number, how: Exclude<CourseAccess, 'granted'> = 'notenrolled') =>
    this.#catalog.setCourseAccess(courseId, how);
  readonly allowCourseAccess = (courseId: number) => this.#catalog.setCourseAccess(courseId, 'granted');
  readonly courseAccess = (courseId: number) => this.#catalog.courseAccess(courseId);
  readonly setShowGrades = (courseId: number, show: boolean) => this.#catalog.setShowGrades(courseId, show);

  readonly sections = (courseId: number) => this.#catalog.contents(courseId).sections;
  readonly modules = (courseId: number) => this.#catalog.contents(courseId).orderedModules();
  readonly module = (courseId: number, cmid: number) => this.#catalog.contents(courseId).module(cmid);
  readonly addActivity = (courseId: number, input: ActivityInput) => {
    const module = this.#catalog.contents(courseId).addActivity(input);
    this.#gradebooks.addActivityItems(module, input.gradeItems ?? []);
    this.#changes.tell({ kind: 'activity-added', courseId, cmid: module.id });
    return module;
  };
  readonly setActivityVisible = (courseId: number, cmid: number, visible: boolean) =>
    this.#catalog.contents(courseId).setActivityVisible(cmid, visible);
  readonly setActivityStealth = (courseId: number, cmid: number, stealth: boolean) =>
    this.#catalog.contents(courseId).setActivityStealth(cmid, stealth);
  readonly setSectionVisible = (courseId: number, sectionNumber: number, visible: boolean) =>
    this.#catalog.contents(courseId).setSectionVisible(sectionNumber, visible);

  // ---- gradebooks: gradebooks.ts -----------------------------------------------------------------

  readonly gradebook = (courseId: number) => this.#gradebooks.of(courseId);
  readonly gradeItems = (courseId: number) => this.#gradebooks.of(courseId).orderedItems();
  readonly addGradeCategory = (courseId: number, input: GradeCategoryInput = {}) =>
    this.#gradebooks.addCategory(courseId, input);
  readonly addManualItem = (courseId: number, input: ManualItemInput) =>
    this.#gradebooks.addManualItem(courseId, input);
  readonly seedGrades = (courseId: number, plan: SeedPlan) => this.#gradebooks.seed(courseId, plan);
  readonly grade = (courseId: number, userId: number, cmid: number, value: number | null, opts?: GradeOptions) =>
    this.#gradebooks.grade(courseId, userId, cmid, value, opts);
  readonly overrideGrade = (courseId: number, userId: number, itemId: number, value: number | null) =>
    this.#gradebooks.override(courseId, userId, itemId, value);
  readonly gradeOf = (courseId: number, userId: number, cmid: number, itemNumber = 0) =>
    this.#gradebooks.gradeOf(courseId, userId, cmid, itemNumber);

  // ---- enrolments: enrolments.ts -----------------------------------------------------------------

  readonly enrol = (courseId: number, userId: number, role: RoleShortName = 'student', opts: EnrolOptions = {}) =>
    this.#enrolments.enrol(courseId, userId, role, opts);
  readonly unenrol = (courseId: number, userId: number) => this.#enrolments.unenrol(courseId, userId);
  readonly setEnrolmentActive = (courseId: number, userId: number, active: boolean) =>
    this.#enrolments.setActive(courseId, userId, active);
  readonly enrolments = (courseId: number) => this.#enrolments.inCourse(courseId);
  readonly students = (courseId: number) => this.#enrolments.students(courseId);
  readonly enrolledCourseIds = (userId: number) => this.#enrolments.courseIdsOf(userId);
}
