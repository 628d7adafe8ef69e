import type { ReportRow } from '../gradebook';
import { wsErrors } from '../protocol/errors';
import { integer, structure, withDefault } from '../protocol/external-params';
import type { SimCourse, SimUser } from '../records';
import type { SiteModel } from '../site';
import { courseEntryRefusal, requireCourse } from './course-access';
import { defineWsFunction } from './define';
import { formatGrade, formatPercentage, formatRange, letterFor, percentageOf } from './grade-format';

/** Human name of moodle/grade:viewall, as required_capability_exception quotes it. */
const VIEW_ALL_GRADES = 'View grades of other users';

/**
 * gradereport_user_get_grade_items (docs/moodle.md §5) with the user-report
 * defaults plus "Show letter grade" on, as the example response (test/fixtures/moodle) shows.
 */
export const getGradeItems = defineWsFunction({
  params: structure({
    courseid: integer(),
    userid: withDefault(integer(), 0),
    groupid: withDefault(integer(), 0),
  }),
  floatKeys: new Set(['graderaw', 'weightraw']),
  execute({ courseid, userid, groupid }, { site }) {
    const course = requireCourse(site, courseid);
    const refusal = courseEntryRefusal(site, course);
    if (refusal !== undefined) throw wsErrors.requireLogin(refusal);
    const mayViewAll = site.hasCapability('moodle/grade:viewall') && site.courseAccess(course.id) !== 'nogradeaccess';
    if (userid === 0 && !mayViewAll) throw wsErrors.noPermissions(VIEW_ALL_GRADES);
    const users = userid === 0 ? gradedUsers(site, course, groupid) : [requireUser(site, userid)];
    if (!mayViewAll) throw wsErrors.noPermissionToViewGrades();

    const view = gradeView(site, course);
    const usergrades = users.map((user) => userGrades(site, course, user, view));
    const rows = usergrades.reduce((sum, entry) => sum + entry.gradeitems.length, 0);
    return { rows, body: { usergrades, warnings: [] } };
  },
});

interface GradeView {
  /** Items of hidden activities (hiding a module hides its grade items). */
  hiddenItemIds: ReadonlySet<number>;
  showHidden: boolean;
  showGrades: boolean;
}

function gradeView(site: SiteModel, course: SimCourse): GradeView {
  const hiddenItemIds = new Set(
    site
      .gradeItems(course.id)
      .filter((item) => item.cmid !== undefined && !site.module(course.id, item.cmid).visible)
      .map((item) => item.id),
  );
  return {
    hiddenItemIds,
    showHidden: site.hasCapability('moodle/grade:viewhidden'),
    showGrades: course.reportShowsGrades,
  };
}

/** The "graded roles" (student) with an active enrolment, in graded_users_iterator order: last name, first name. */
function gradedUsers(site: SiteModel, course: SimCourse, groupId: number): SimUser[] {
  const inGroup = new Set(
    site
      .enrolments(course.id)
      .filter((enrolment) => groupId === 0 || enrolment.groupids.includes(groupId))
      .map((enrolment) => enrolment.userid),
  );
  return site
    .students(course.id)
    .filter((user) => inGroup.has(user.id))
    .sort((a, b) => a.lastname.localeCompare(b.lastname) || a.firstname.localeCompare(b.firstname) || a.id - b.id);
}

/** core_user::get_user(…, MUST_EXIST). */
function requireUser(site: SiteModel, userId: number): SimUser {
  const user = site.user(userId);
  if (!user) throw wsErrors.missingRecord('user');
  return user;
}

function userGrades(site: SiteModel, course: SimCourse, user: SimUser, view: GradeView) {
  const report = site.gradebook(course.id).userReport(user.id);
  return {
    courseid: course.id,
    courseidnumber: course.idnumber,
    userid: user.id,
    userfullname: `${user.firstname} ${user.lastname}`,
    useridnumber: user.idnumber,
    maxdepth: report.maxDepth,
    gradeitems: report.rows
      .filter((row) => view.showHidden || !view.hiddenItemIds.has(row.item.id))
      .map((row) => gradeItemRecord(row, view)),
  };
}

/** One row, keys in the order of the return description; optional keys follow the report settings. */
function gradeItemRecord(row: ReportRow, view: GradeView) {
  const { item } = row;
  const isCourseTotal = item.itemtype === 'course';
  const weight = row.weight ?? 0;
  const percentage = percentageOf(row.value, row.grademin, row.grademax);
  const gradeFields = view.showGrades
    ? {
        graderaw: row.value,
        gradedatesubmitted: row.datesubmitted,
        gradedategraded: row.dategraded,
        gradehiddenbydate: false,
        gradeneedsupdate: false,
        gradeishidden: view.hiddenItemIds.has(item.id),
        gradeislocked: false,
        gradeisoverridden: row.overridden,
        gradeformatted: formatGrade(item, row.value),
      }
    : {};
  return {
    id: item.id,
    itemname: item.itemname,
    itemtype: item.itemtype,
    itemmodule: item.itemmodule,
    iteminstance: item.iteminstance,
    itemnumber: item.itemnumber,
    idnumber: item.idnumber,
    categoryid: item.categoryid,
    outcomeid: null,
    // Moodle copies outcomeid into scaleid, so scale items say null too.
    scaleid: null,
    locked: false,
    cmid: item.cmid,
    weightraw: isCourseTotal ? undefined : weight,
    weightformatted: isCourseTotal ? undefined : `${(weight * 100).toFixed(2)} %`,
    status: !isCourseTotal && row.value === null ? 'novalue' : undefined,
    ...gradeFields,
    grademin: row.grademin,
    grademax: row.grademax,
    rangeformatted: formatRange(item, row.grademin, row.grademax),
    percentageformatted: formatPercentage(percentage),
    lettergradeformatted: letterFor(percentage),
    feedback: row.feedback,
    feedbackformat: row.feedback === '' ? 0 : 1,
  };
}
