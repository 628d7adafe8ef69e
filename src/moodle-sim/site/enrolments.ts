import type { RoleShortName, SimEnrolment, SimUser } from '../records';
import type { Catalog } from './catalog';
import type { SiteChanges } from './changes';
import { PerCourse } from './per-course';
import { NONE } from './shared-empty-list';
import type { UserDirectory } from './users';

/** Most enrolments hold one role, so they share one frozen array per role (see NONE for why). */
const SINGLE_ROLES = new Map<RoleShortName, readonly RoleShortName[]>();
const singleRole = (role: RoleShortName) => {
  let roles = SINGLE_ROLES.get(role);
  if (!roles) SINGLE_ROLES.set(role, (roles = Object.freeze([role])));
  return roles;
};

export interface EnrolOptions {
  /** Default true; false = a suspended enrolment. */
  active?: boolean;
  groupids?: readonly number[];
}

/** Who is enrolled where, with the reverse index `enrolledcourses` needs. */
export class Enrolments {
  private readonly byCourse = new PerCourse<Map<number, SimEnrolment>>();
  private readonly coursesOfUser = new Map<number, number[]>();

  constructor(
    private readonly catalog: Catalog,
    private readonly users: UserDirectory,
    private readonly changes: SiteChanges,
  ) {}

  open(courseId: number): void {
    this.byCourse.add(courseId, new Map());
  }

  enrol(courseId: number, userId: number, role: RoleShortName, opts: EnrolOptions): SimEnrolment {
    const enrolments = this.byCourse.of(courseId);
    this.users.require(userId);
    const existing = enrolments.get(userId);
    if (existing) {
      if (!existing.roles.includes(role)) existing.roles = [...existing.roles, role];
      return existing;
    }
    const enrolment = {
      userid: userId,
      roles: singleRole(role),
      active: opts.active ?? true,
      groupids: opts.groupids ?? NONE,
    };
    enrolments.set(userId, enrolment);
    const courses = this.coursesOfUser.get(userId);
    if (courses) courses.push(courseId);
    else this.coursesOfUser.set(userId, [courseId]);
    this.changes.tell({ kind: 'enrolled', courseId, userId });
    return enrolment;
  }

  /** Removes the enrolment; grades stay stored and reappear on re-enrolment, as Moodle's grade recovery does. */
  unenrol(courseId: number, userId: number): void {
    if (!this.byCourse.of(courseId).delete(userId)) return;
    const courses = this.coursesOfUser.get(userId) ?? [];
    courses.splice(courses.indexOf(courseId), 1);
    this.changes.tell({ kind: 'unenrolled', courseId, userId });
  }

  /** False = suspended enrolment: still listed by get_enrolled_users, left out of the grade report. */
  setActive(courseId: number, userId: number, active: boolean): void {
    const enrolment = this.byCourse.of(courseId).get(userId);
    if (!enrolment) throw new Error(`user ${userId} is not enrolled in course ${courseId}`);
    if (enrolment.active === active) return;
    enrolment.active = active;
    this.changes.tell({ kind: 'enrolment-updated', courseId, userId });
  }

  inCourse(courseId: number): SimEnrolment[] {
    return [...this.byCourse.of(courseId).values()];
  }

  /** Users the grade report covers with userid=0: role student and an active enrolment, by id. */
  students(courseId: number): SimUser[] {
    return this.inCourse(courseId)
      .filter((enrolment) => enrolment.active && enrolment.roles.includes('student'))
      .map((enrolment) => this.users.require(enrolment.userid))
      .sort((a, b) => a.id - b.id);
  }

  /** Ids of the (not deleted) courses the user is enrolled in, in enrolment order. */
  courseIdsOf(userId: number): number[] {
    return (this.coursesOfUser.get(userId) ?? []).filter((courseId) => !this.catalog.isCourseDeleted(courseId));
  }
}
