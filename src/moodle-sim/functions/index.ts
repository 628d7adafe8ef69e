import type { SimulatedFunction } from '../function-names';
import { getContents } from './contents';
import { getCourses } from './courses';
import type { WsFunction } from './define';
import { getEnrolledUsers } from './enrolled-users';
import { getGradeItems } from './grade-items';
import { getSiteInfo } from './site-info';
import { getUsersByField } from './users-by-field';

export type { CallContext, WsFunction } from './define';

/** Every function "installed" on the simulated site; anything else is invalidrecord (external_functions). */
export const WS_FUNCTIONS: Readonly<Record<SimulatedFunction, WsFunction>> = {
  core_course_get_contents: getContents,
  core_course_get_courses: getCourses,
  core_enrol_get_enrolled_users: getEnrolledUsers,
  core_user_get_users_by_field: getUsersByField,
  core_webservice_get_site_info: getSiteInfo,
  gradereport_user_get_grade_items: getGradeItems,
};
