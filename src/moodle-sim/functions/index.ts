import { MOODLE_FUNCTIONS, type MoodleFunction } from '../../moodle';
import { getContents } from './contents';
import { getCourses } from './courses';
import type { WsFunction } from './define';
import { getEnrolledUsers } from './enrolled-users';
import { getGradeItems } from './grade-items';
import { getSiteInfo } from './site-info';
import { getUsersByField } from './users-by-field';

export type { CallContext, WsFunction } from './define';

/** Every function "installed" on the simulated site; anything else is invalidrecord (external_functions). */
export const WS_FUNCTIONS: Readonly<Record<MoodleFunction, WsFunction>> = {
  [MOODLE_FUNCTIONS.courseContents]: getContents,
  [MOODLE_FUNCTIONS.courses]: getCourses,
  [MOODLE_FUNCTIONS.enrolledUsers]: getEnrolledUsers,
  [MOODLE_FUNCTIONS.usersByField]: getUsersByField,
  [MOODLE_FUNCTIONS.siteInfo]: getSiteInfo,
  [MOODLE_FUNCTIONS.gradeItems]: getGradeItems,
};
