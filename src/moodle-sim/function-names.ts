/** The web-service functions the simulator implements (and a fresh site's service lists). */
export const SIMULATED_FUNCTIONS = [
  'core_course_get_contents',
  'core_course_get_courses',
  'core_enrol_get_enrolled_users',
  'core_user_get_users_by_field',
  'core_webservice_get_site_info',
  'gradereport_user_get_grade_items',
] as const;

export type SimulatedFunction = (typeof SIMULATED_FUNCTIONS)[number];

export function isSimulatedFunction(name: string): name is SimulatedFunction {
  return (SIMULATED_FUNCTIONS as readonly string[]).includes(name);
}
