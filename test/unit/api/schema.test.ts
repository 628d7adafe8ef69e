import { readFileSync } from 'node:fs';
import { printedSchema, SCHEMA_FILE } from '../../../scripts/print-schema';

describe('schema.graphql', () => {
  it('is the schema the code serves (run `npm run schema` after changing it)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printedSchema());
  });

  it('keeps the names the front end is written against', () => {
    const schema = printedSchema();
    for (const contract of [
      'courses(states: [CourseState!], search: String, includeDeleted: Boolean = false, ' +
        'first: Int = 50, after: String): CourseConnection!',
      'enrollments(courseId: ID, studentId: ID, first: Int = 50, after: String): EnrollmentConnection!',
      'syncErrors(open: Boolean = true, courseId: ID, first: Int = 50, after: String): SyncErrorConnection!',
      'setCourseState(courseId: ID!, state: CourseState!): Course!',
      'createEnrollment(courseId: ID!, studentId: ID!): Enrollment!',
      'replayFailedSyncs(since: DateTime): ReplayPlan!',
      'confirmCourseDeletions(courseIds: [ID!]): ConfirmedDeletions!',
    ]) {
      expect(schema).toContain(contract);
    }
  });
});
