import { cleanBool, cleanInt } from '../protocol/clean-param';
import { wsErrors } from '../protocol/errors';
import { integer, list, structure, text, withDefault } from '../protocol/external-params';
import type { SimUser } from '../records';
import { requireCourse, requireCourseContext } from './course-access';
import { defineWsFunction } from './define';
import { userRecord } from './user-details';

const SORTABLE = ['id', 'firstname', 'lastname', 'siteorder'] as const;
type SortBy = (typeof SORTABLE)[number];

interface EnrolledUsersOptions {
  groupId: number;
  onlyActive: boolean;
  onlySuspended: boolean;
  userFields?: Set<string>;
  limitFrom: number;
  limitNumber: number;
  sortBy: SortBy;
  descending: boolean;
}

/**
 * core_enrol_get_enrolled_users (docs/moodle.md §7.1): every enrolment, suspended
 * ones included unless `onlyactive`, ordered by user id by default.
 * `withcapability` is accepted but not modelled (nobody is filtered out).
 */
export const getEnrolledUsers = defineWsFunction({
  params: structure({
    courseid: integer(),
    options: withDefault(list(structure({ name: text('alphanumext'), value: text('raw') })), []),
  }),
  execute({ courseid, options }, { site, siteUrl }) {
    const course = requireCourse(site, courseid);
    requireCourseContext(site, course);
    if (!site.hasCapability('moodle/course:viewparticipants')) throw wsErrors.noPermissions('View participants');
    const settings = readOptions(options);
    const selected = site
      .enrolments(course.id)
      .filter((enrolment) => settings.groupId === 0 || enrolment.groupids.includes(settings.groupId))
      .filter((enrolment) => !settings.onlyActive || enrolment.active)
      .filter((enrolment) => !settings.onlySuspended || !enrolment.active)
      .map((enrolment) => ({ enrolment, user: site.user(enrolment.userid) as SimUser }))
      .sort((a, b) => compareUsers(a.user, b.user, settings.sortBy) * (settings.descending ? -1 : 1));
    const end = settings.limitNumber > 0 ? settings.limitFrom + settings.limitNumber : undefined;
    const page = selected.slice(settings.limitFrom, end);
    const body = page.map(({ enrolment, user }) =>
      onlyFields(userRecord(user, siteUrl, { course, enrolment, site }), settings.userFields),
    );
    return { rows: body.length, body };
  },
});

/** Unknown option names are ignored, as Moodle's switch has no default branch. */
function readOptions(options: { name: string; value: string }[]): EnrolledUsersOptions {
  const settings: EnrolledUsersOptions = {
    groupId: 0,
    onlyActive: false,
    onlySuspended: false,
    limitFrom: 0,
    limitNumber: 0,
    sortBy: 'id',
    descending: false,
  };
  for (const { name, value } of options) {
    switch (name) {
      case 'groupid':
        settings.groupId = cleanInt(value);
        break;
      case 'onlyactive':
        settings.onlyActive = cleanBool(value);
        break;
      case 'onlysuspended':
        settings.onlySuspended = cleanBool(value);
        break;
      case 'userfields':
        settings.userFields = new Set(value.split(',').map((field) => field.trim()));
        break;
      case 'limitfrom':
        settings.limitFrom = Math.max(0, cleanInt(value));
        break;
      case 'limitnumber':
        settings.limitNumber = Math.max(0, cleanInt(value));
        break;
      case 'sortby':
        if (!(SORTABLE as readonly string[]).includes(value)) {
          throw wsErrors.invalidParameter(
            `Invalid value for sortby parameter (value: ${value}),allowed values are: ${SORTABLE.join(',')}`,
          );
        }
        settings.sortBy = value as SortBy;
        break;
      case 'sortdirection': {
        const direction = value.toUpperCase();
        if (direction !== 'ASC' && direction !== 'DESC') {
          throw wsErrors.invalidParameter(
            `Invalid value for sortdirection parameter (value: ${direction}),allowed values are: ASC,DESC`,
          );
        }
        settings.descending = direction === 'DESC';
        break;
      }
    }
  }
  return settings;
}

/** `siteorder` is the site's full-name order: last name, then first name. */
function compareUsers(a: SimUser, b: SimUser, sortBy: SortBy): number {
  switch (sortBy) {
    case 'id':
      return a.id - b.id;
    case 'firstname':
      return a.firstname.localeCompare(b.firstname) || a.id - b.id;
    case 'lastname':
    case 'siteorder':
      return a.lastname.localeCompare(b.lastname) || a.firstname.localeCompare(b.firstname) || a.id - b.id;
  }
}

/** `userfields` keeps the named fields; `id` always stays and `descriptionformat` follows `description`. */
function onlyFields(record: Record<string, unknown>, fields: Set<string> | undefined): Record<string, unknown> {
  if (!fields) return record;
  const keep = (key: string) =>
    key === 'id' || fields.has(key) || (key === 'descriptionformat' && fields.has('description'));
  return Object.fromEntries(Object.entries(record).filter(([key]) => keep(key)));
}
