/**
 * The GraphQL contract the SMS front end is written against: add freely,
 * never rename. `schema.graphql` at the repository root is this, printed
 * (`npm run schema`); a test keeps the two in step.
 */
export const typeDefs = /* GraphQL */ `
  "An ISO-8601 date-time in UTC."
  scalar DateTime

  enum CourseState {
    NEW
    OPEN
    CLOSED
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type Course {
    id: ID!
    moodleId: Int!
    shortName: String!
    fullName: String!
    "The SMS course code, when Moodle's course id number holds it."
    idNumber: String
    categoryId: Int!
    state: CourseState!
    "True once the course vanished from Moodle; its enrollments and grades stay."
    deleted: Boolean!
    deletedAt: DateTime
    "Null when the sync's token may not read it."
    visibleInMoodle: Boolean
    startDate: DateTime
    endDate: DateTime
    """
    When this course's grades were last synced: the enrollment sync read its gradebook into its enrollments.
    Null before the first successful sync.
    """
    lastSyncedAt: DateTime
    "When the enrollment sync last tried this course's grades, whether it succeeded or not. Null before the first try."
    lastAttemptAt: DateTime
    "What started that last try. Null before the first try, and for courses last tried before triggers were recorded."
    lastSyncTrigger: SyncTrigger
    "The last course sync that saw this course in Moodle (Moodle's course list, not its grades). Null once deleted."
    lastSeenInMoodleAt: DateTime
    enrollments(first: Int = 50, after: String): EnrollmentConnection!
  }

  type CourseEdge {
    cursor: String!
    node: Course!
  }

  type CourseConnection {
    edges: [CourseEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type Student {
    id: ID!
    moodleUserId: Int!
    fullName: String!
    email: String
    idNumber: String
    enrollments(first: Int = 50, after: String): EnrollmentConnection!
  }

  type StudentEdge {
    cursor: String!
    node: Student!
  }

  type StudentConnection {
    edges: [StudentEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  "Activities graded ÷ non-hidden activities, both counts kept so the figure can be explained."
  type Progress {
    "Null when unknown (the course's report hides grades)."
    percent: Float
    graded: Int!
    total: Int!
  }

  "The course total as Moodle's gradebook reports it, its formatted values as plain text (Moodle's markup removed)."
  type Grade {
    raw: Float
    formatted: String
    percentage: String
    letter: String
    min: Float
    max: Float
    range: String
  }

  """
  One gradebook item, in gradebook order. Formatted values are Moodle's, as plain text: tags removed, entities decoded.
  """
  type ReportCardLine {
    name: String!
    itemType: String!
    module: String
    grade: String
    percentage: String
    letter: String
    range: String
    weight: String
    feedback: String
    gradedAt: DateTime
    submittedAt: DateTime
    hidden: Boolean!
  }

  type EnrollmentSyncError {
    code: String!
    message: String!
    at: DateTime!
  }

  type Enrollment {
    id: ID!
    course: Course!
    student: Student!
    "Null until the first successful sync."
    progress: Progress
    grade: Grade
    reportCard: [ReportCardLine!]!
    lastSyncedAt: DateTime
    syncError: EnrollmentSyncError
  }

  type EnrollmentEdge {
    cursor: String!
    node: Enrollment!
  }

  type EnrollmentConnection {
    edges: [EnrollmentEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  enum ConnectionState {
    HEALTHY
    DEGRADED
    FAILING
    UNKNOWN
  }

  enum SyncKind {
    COURSE
    ENROLLMENT
  }

  "What started a sync."
  enum SyncTrigger {
    "Its schedule."
    SCHEDULE
    "A person, through the API or the command line."
    MANUAL
    "A replay of what failed."
    REPLAY
    "An event Moodle sent about the course (a hint to read it again)."
    MOODLE_EVENT
  }

  type Count {
    name: String!
    value: Int!
  }

  type SyncRun {
    id: ID!
    kind: SyncKind!
    workflowId: String!
    "One of the SyncTrigger values (a String since before that enum existed)."
    trigger: String!
    startedAt: DateTime!
    finishedAt: DateTime
    "RUNNING, SUCCEEDED, PARTIAL or FAILED."
    outcome: String!
    counts: [Count!]!
    "Moodle web-service calls by function."
    moodleCalls: [Count!]!
    error: String
  }

  type SyncRunEdge {
    cursor: String!
    node: SyncRun!
  }

  type SyncRunConnection {
    edges: [SyncRunEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type SyncError {
    id: ID!
    scope: String!
    courseId: ID
    enrollmentId: ID
    code: String!
    message: String!
    firstSeenAt: DateTime!
    lastSeenAt: DateTime!
    occurrences: Int!
    resolvedAt: DateTime
  }

  type SyncErrorEdge {
    cursor: String!
    node: SyncError!
  }

  type SyncErrorConnection {
    edges: [SyncErrorEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type SyncStatus {
    connection: ConnectionState!
    "What is wrong and what to check, in plain words."
    message: String!
    "A stable name of the likely cause (e.g. INVALID_TOKEN, FUNCTION_NOT_ALLOWED)."
    cause: String
    lastCourseSync: SyncRun
    lastEnrollmentSync: SyncRun
    lastSuccessAt: DateTime
    """
    Courses the SMS follows (with SMS enrollments, not deleted in Moodle) whose grades were not synced within two
    enrollment-sync intervals; a course never synced counts from its creation. staleCourses lists them.
    """
    staleCourseCount: Int!
    """
    When the oldest grades of any followed course date from: that course's last successful grade sync, or its
    creation if it never synced. Null when the SMS follows no course.
    """
    oldestCourseSyncAt: DateTime
    "Seconds from oldestCourseSyncAt to now. Null with it."
    oldestCourseDataAgeSeconds: Int
  }

  type SyncStarted {
    "Workflow ids to look up in the Temporal UI."
    workflowIds: [String!]!
  }

  type ReplayPlan {
    workflowIds: [String!]!
    "True when the whole course or enrollment sync is re-run."
    fullCourseSync: Boolean!
    fullEnrollmentSync: Boolean!
    "Courses whose enrollment sync is re-run on its own."
    courseIds: [ID!]!
  }

  type ConfirmedDeletions {
    deleted: [Course!]!
    "Requested ids that were not held deletions."
    ignored: [ID!]!
    stillHeld: [ID!]!
  }

  type Query {
    "The Courses tab: NEW, OPEN and CLOSED courses; deleted ones only when asked. Readers never see NEW courses."
    courses(
      states: [CourseState!]
      search: String
      includeDeleted: Boolean = false
      first: Int = 50
      after: String
    ): CourseConnection!
    "A course by id, deleted ones included."
    course(id: ID!): Course
    enrollments(courseId: ID, studentId: ID, first: Int = 50, after: String): EnrollmentConnection!
    enrollment(id: ID!): Enrollment
    students(search: String, first: Int = 50, after: String): StudentConnection!
    student(id: ID!): Student
    syncStatus: SyncStatus!
    "The courses syncStatus.staleCourseCount counts, oldest grades first. Readers never see NEW courses, so for them totalCount may be lower than that count."
    staleCourses(first: Int = 50, after: String): CourseConnection!
    syncErrors(open: Boolean = true, courseId: ID, first: Int = 50, after: String): SyncErrorConnection!
    syncRuns(kind: SyncKind, first: Int = 50, after: String): SyncRunConnection!
  }

  type Mutation {
    setCourseState(courseId: ID!, state: CourseState!): Course!
    "Looks the user up in Moodle by exactly one of the three keys."
    createStudent(moodleUserId: Int, email: String, idNumber: String): Student!
    createEnrollment(courseId: ID!, studentId: ID!): Enrollment!
    triggerCourseSync: SyncStarted!
    "All courses, or only the given ones."
    triggerEnrollmentSync(courseIds: [ID!]): SyncStarted!
    "Re-runs what failed since the given time (default: the last 24 hours)."
    replayFailedSyncs(since: DateTime): ReplayPlan!
    "Applies course deletions the course sync held back; all held ones when no ids are given."
    confirmCourseDeletions(courseIds: [ID!]): ConfirmedDeletions!
  }
`;
