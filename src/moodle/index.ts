export {
  createMoodleClient,
  type MoodleCallCounts,
  type MoodleCallObservation,
  type MoodleClient,
  type MoodleClientOptions,
  type MoodleSession,
  type UserLookupField,
} from './client';
export { MoodleError, isMoodleError, type MoodleErrorKind } from './errors';
export { MOODLE_FUNCTIONS, type MoodleFunction } from './functions';
export { REQUIRED_FUNCTIONS } from './preflight';
export {
  parseCourseContents,
  parseCourses,
  parseGradeItems,
  parseMoodleBody,
  parseSiteInfo,
  parseUsers,
  type MoodleResponse,
  type UserListFunction,
} from './parse';
export type { MoodleCall, ResponseHeaders } from './classify';
