/**
 * The one place the web-service function names are written out: the client,
 * the preflight check, the sync activities and the simulator all take them
 * from here, so a function cannot be called without being checked for.
 */
export const MOODLE_FUNCTIONS = {
  siteInfo: 'core_webservice_get_site_info',
  courses: 'core_course_get_courses',
  courseContents: 'core_course_get_contents',
  gradeItems: 'gradereport_user_get_grade_items',
  enrolledUsers: 'core_enrol_get_enrolled_users',
  usersByField: 'core_user_get_users_by_field',
} as const;

export type MoodleFunction = (typeof MOODLE_FUNCTIONS)[keyof typeof MOODLE_FUNCTIONS];
