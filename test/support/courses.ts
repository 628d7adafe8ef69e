import type { CourseMoodleFields } from '../../src/domain/course';

/** The Moodle side of a plain, visible course, for tests that write courses to the store directly. */
export function moodleCourseFields(shortName: string, fullName = `${shortName} course`): CourseMoodleFields {
  return {
    shortName,
    fullName,
    displayName: fullName,
    categoryId: 1,
    format: 'topics',
    idNumber: null,
    visible: true,
    startDate: 0,
    endDate: 0,
  };
}
