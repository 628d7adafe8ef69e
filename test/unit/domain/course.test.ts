import { isFrontPage, toCourseMoodleFields } from '../../../src/domain/course';
import { SITE_ID, exampleCourses, moodleCourse } from './fixtures';

function exampleCourse(id: number) {
  const course = exampleCourses.find((candidate) => candidate.id === id);
  if (course === undefined) throw new Error(`get_courses.json has no course ${id}`);
  return course;
}

describe('toCourseMoodleFields', () => {
  it('keeps the Moodle fields of the example course ENG201', () => {
    expect(toCourseMoodleFields(exampleCourse(101))).toEqual({
      shortName: 'ENG201-2025',
      fullName: 'English Literature 201',
      displayName: 'English Literature 201',
      categoryId: 3,
      format: 'topics',
      idNumber: 'SMS-ENG201-2025A',
      visible: true,
      startDate: 1736985600,
      endDate: 1750377600,
    });
  });

  it('reports the hidden example course as not visible', () => {
    expect(toCourseMoodleFields(exampleCourse(102)).visible).toBe(false);
  });

  it('turns fields the token may not read into null, not into "hidden" or ""', () => {
    const fields = toCourseMoodleFields(moodleCourse(5, { idNumber: undefined, visible: undefined }));
    expect(fields.idNumber).toBeNull();
    expect(fields.visible).toBeNull();
  });

  it('leaves out fields the course sync does not track', () => {
    expect(Object.keys(toCourseMoodleFields(moodleCourse(5, { timeModified: 123 })))).not.toContain('timeModified');
  });
});

describe('isFrontPage', () => {
  it('recognises the example front page and no other example course', () => {
    expect(exampleCourses.filter((course) => isFrontPage(course, SITE_ID)).map((course) => course.id)).toEqual([1]);
  });

  it('recognises the front page by site id even when its format is unusual', () => {
    expect(isFrontPage(moodleCourse(7, { format: 'topics' }), 7)).toBe(true);
  });

  it('recognises the front page by format "site" even when the site id differs', () => {
    expect(isFrontPage(moodleCourse(7, { format: 'site' }), 1)).toBe(true);
  });
});
