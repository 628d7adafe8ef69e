/**
 * Moodle's error replies (docs/moodle.md §1.5–§1.7), with the Moodle 4.5 exception
 * class names and the English message strings of lang/en.
 */
export class MoodleWsError extends Error {
  constructor(
    readonly exception: string,
    readonly errorcode: string,
    message: string,
    readonly debuginfo?: string,
  ) {
    super(message);
  }
}

const MOODLE_EXCEPTION = 'core\\exception\\moodle_exception';

const accessDebugInfo = (functionName: string) =>
  `Access to the function ${functionName}() is not allowed.
                     There could be multiple reasons for this:
                     1. The service linked to the user token does not contain the function.
                     2. The service is user-restricted and the user is not listed.
                     3. The service is IP-restricted and the user IP is not listed.
                     4. The service is time-restricted and the time has expired.
                     5. The token is time-restricted and the time has expired.
                     6. The service requires a specific capability which the user does not have.
                     7. The function is called with username/password (no user token is sent)
                     and none of the services has the function to allow the user.
                     These settings can be found in Administration > Site administration
                     > Server > Web services > External services and Manage tokens.`;

/** Message of require_login_exception, which course functions also quote inside errorcoursecontextnotvalid. */
const NOT_ACCESSIBLE = 'Course or activity not accessible.';

export const wsErrors = {
  invalidToken: () => new MoodleWsError(MOODLE_EXCEPTION, 'invalidtoken', 'Invalid token - token not found'),
  siteMaintenance: () =>
    new MoodleWsError(
      MOODLE_EXCEPTION,
      'sitemaintenance',
      'The site is undergoing maintenance and is currently not available',
    ),
  /**
   * dml_missing_record_exception: the table tells an unknown function
   * (external_functions) from a deleted course (course).
   */
  missingRecord: (table: string) =>
    new MoodleWsError(
      'dml_missing_record_exception',
      'invalidrecord',
      `Can not find data record in database table ${table}.`,
    ),
  accessException: (functionName: string) =>
    new MoodleWsError(
      'webservice_access_exception',
      'accessexception',
      'Access control exception',
      accessDebugInfo(functionName),
    ),
  invalidParameter: (debuginfo: string) =>
    new MoodleWsError(
      'core\\exception\\invalid_parameter_exception',
      'invalidparameter',
      'Invalid parameter value detected',
      debuginfo,
    ),
  invalidOptionName: (name: string) =>
    new MoodleWsError(MOODLE_EXCEPTION, 'errorinvalidparam', `The param "${name}" is invalid.`),
  codingError: (hint: string, debuginfo: string) =>
    new MoodleWsError(
      'core\\exception\\coding_exception',
      'codingerror',
      `Coding error detected, it must be fixed by a programmer: ${hint}`,
      debuginfo,
    ),
  requireLogin: (reason: string) =>
    new MoodleWsError('core\\exception\\require_login_exception', 'requireloginerror', NOT_ACCESSIBLE, reason),
  /** What course functions turn a failed require_login into. */
  courseContextNotValid: (courseId: number) =>
    new MoodleWsError(
      MOODLE_EXCEPTION,
      'errorcoursecontextnotvalid',
      `You cannot execute functions in the course context (course id:${courseId}). ` +
        `The context error message was: ${NOT_ACCESSIBLE}`,
    ),
  /** The capability appears only by its human-readable name. */
  noPermissions: (capabilityName: string) =>
    new MoodleWsError(
      'core\\exception\\required_capability_exception',
      'nopermissions',
      `Sorry, but you do not currently have permissions to do that (${capabilityName}).`,
    ),
  noPermissionToViewGrades: () =>
    new MoodleWsError(MOODLE_EXCEPTION, 'nopermissiontoviewgrades', 'Can not view grades.'),
};
