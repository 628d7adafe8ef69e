import { ROLE_IDS, type SimCourse, type SimEnrolment, type SimUser } from '../records';
import type { SiteModel } from '../site';

/**
 * user_get_user_details as the shared examples show it for a Manager token:
 * identity fields included, empty optional profile fields omitted.
 */
export function userRecord(
  user: SimUser,
  siteUrl: string,
  inCourse?: { course: SimCourse; enrolment: SimEnrolment; site: SiteModel },
) {
  const picture = (size: 'f1' | 'f2') => `${siteUrl}/pluginfile.php/${user.contextid}/user/icon/boost/${size}?rev=1`;
  return {
    id: user.id,
    username: user.username,
    firstname: user.firstname,
    lastname: user.lastname,
    fullname: `${user.firstname} ${user.lastname}`,
    email: user.email,
    department: user.department || undefined,
    idnumber: user.idnumber,
    firstaccess: user.firstaccess,
    lastaccess: user.lastaccess,
    // Modelled as a course visit shortly before the last site access.
    lastcourseaccess: inCourse && (user.lastaccess === 0 ? 0 : user.lastaccess - 10_000),
    description: '',
    descriptionformat: 1,
    city: user.city || undefined,
    country: user.country,
    profileimageurlsmall: picture('f2'),
    profileimageurl: picture('f1'),
    customfields:
      user.customfields.length > 0
        ? user.customfields.map((field) => ({
            type: field.type,
            value: field.value,
            name: field.name,
            shortname: field.shortname,
          }))
        : undefined,
    ...(inCourse && courseFields(user, inCourse)),
  };
}

function courseFields(
  user: SimUser,
  { course, enrolment, site }: { course: SimCourse; enrolment: SimEnrolment; site: SiteModel },
) {
  return {
    groups: course.groups
      .filter((group) => enrolment.groupids.includes(group.id))
      .map((group) => ({ id: group.id, name: group.name, description: '', descriptionformat: 1 })),
    roles: enrolment.roles.map((role) => ({ roleid: ROLE_IDS[role], name: '', shortname: role, sortorder: 0 })),
    enrolledcourses: site.enrolledCourseIds(user.id).map((courseId) => {
      const enrolled = site.course(courseId);
      return { id: enrolled.id, fullname: enrolled.fullname, shortname: enrolled.shortname };
    }),
  };
}
