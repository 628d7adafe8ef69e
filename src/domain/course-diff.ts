import type { MoodleCourse } from './moodle-data';
import { type CourseMoodleFields, type CourseRecord, isFrontPage, toCourseMoodleFields } from './course';

/** Share of the known courses that may vanish from Moodle's list in one sync before deletions are held. */
export const DEFAULT_DELETION_GUARD_RATIO = 0.5;

/** Why the would-be deletions of a sync were held back instead of applied. */
export interface DeletionGuardTrip {
  /** `held-earlier`: the guard would let them through now, but an earlier run held them and no admin confirmed. */
  reason: 'too-many-missing' | 'empty-list' | 'held-earlier';
  /** Every known course missing from Moodle's list, admin-confirmed ones included. */
  missingCount: number;
  /** Courses known and not deleted before this sync. */
  knownCount: number;
  ratio: number;
}

export interface CourseDiff {
  /** First seen: to insert with state NEW. */
  created: CourseRecord[];
  changed: { moodleId: number; moodle: CourseMoodleFields; changedFields: (keyof CourseMoodleFields)[] }[];
  /** Deleted courses that reappeared: clear `lmsDeletedAt` and refresh the Moodle fields, keep the state. */
  restored: { moodleId: number; moodle: CourseMoodleFields }[];
  /** To mark with `lmsDeletedAt`, ascending. */
  deleted: number[];
  /** Missing courses the guard refused to mark deleted, ascending. */
  heldDeletions: number[];
  /** Set exactly when `heldDeletions` is not empty. */
  deletionGuard: DeletionGuardTrip | null;
  /** Known courses whose Moodle fields are identical: counted, not written. */
  unchanged: number;
  /** Courses in Moodle's list, front page excluded. */
  seen: number;
}

export interface CourseDiffInput {
  moodleCourses: MoodleCourse[];
  stored: CourseRecord[];
  siteId: number;
  /** Between 0 and 1, see `DEFAULT_DELETION_GUARD_RATIO`. */
  deletionGuardRatio: number;
  /** Missing courses an admin confirmed as really deleted: applied even when the guard holds the rest. */
  confirmedDeletions?: ReadonlySet<number>;
  /**
   * Deletions an earlier run held back and no admin has confirmed yet. They stay held even when the guard would
   * pass this run (enough new courses can bring the missing share under the limit): only an admin releases them.
   */
  heldEarlier?: ReadonlySet<number>;
}

/** A list naming one course twice is not something Moodle sends on purpose, so none of it is trusted. */
export class DuplicateCourseIdsError extends Error {
  readonly type = 'duplicate-course-ids';

  constructor(readonly courseIds: number[]) {
    super(
      `Moodle's course list names course ${courseIds.join(', ')} more than once; ` +
        'the download is treated as suspicious and nothing was changed.',
    );
    this.name = 'DuplicateCourseIdsError';
  }
}

/** Written out so that adding a field to `CourseMoodleFields` without comparing it fails to compile. */
const COMPARED_FIELDS: { readonly [K in keyof CourseMoodleFields]-?: true } = {
  shortName: true,
  fullName: true,
  displayName: true,
  categoryId: true,
  format: true,
  idNumber: true,
  visible: true,
  startDate: true,
  endDate: true,
};
const COMPARED_FIELD_NAMES = Object.keys(COMPARED_FIELDS) as (keyof CourseMoodleFields)[];

/** A diff of `seen` courses that changes nothing: where the diff below starts, and what tests build on. */
export function emptyCourseDiff(seen: number): CourseDiff {
  return {
    created: [],
    changed: [],
    restored: [],
    deleted: [],
    heldDeletions: [],
    deletionGuard: null,
    unchanged: 0,
    seen,
  };
}

export function diffCourses(input: CourseDiffInput): CourseDiff {
  const { siteId, deletionGuardRatio, confirmedDeletions = new Set<number>(), heldEarlier = new Set<number>() } = input;
  if (!(deletionGuardRatio >= 0 && deletionGuardRatio <= 1)) {
    throw new RangeError(`deletionGuardRatio must be between 0 and 1, got ${deletionGuardRatio}`);
  }
  const courses = input.moodleCourses.filter((course) => !isFrontPage(course, siteId));
  rejectDuplicateIds(courses);

  const storedById = new Map(input.stored.map((record) => [record.moodleId, record]));
  const diff = emptyCourseDiff(courses.length);

  for (const course of courses) {
    const incoming = toCourseMoodleFields(course);
    const record = storedById.get(course.id);
    if (record === undefined) {
      diff.created.push({ moodleId: course.id, state: 'NEW', moodle: incoming, lmsDeletedAt: null });
      continue;
    }
    const moodle = keepKnownValues(record.moodle, incoming);
    if (record.lmsDeletedAt !== null) {
      diff.restored.push({ moodleId: course.id, moodle });
      continue;
    }
    const changedFields = COMPARED_FIELD_NAMES.filter((field) => record.moodle[field] !== moodle[field]);
    if (changedFields.length > 0) diff.changed.push({ moodleId: course.id, moodle, changedFields });
    else diff.unchanged += 1;
  }

  const seenIds = new Set(courses.map((course) => course.id));
  const known = input.stored.filter((record) => record.lmsDeletedAt === null);
  const missing = known
    .filter((record) => !seenIds.has(record.moodleId))
    .map((record) => record.moodleId)
    .sort((a, b) => a - b);
  const tripReason = deletionGuardTripReason(missing.length, known.length, courses.length, deletionGuardRatio);
  const stillHeld = (id: number) => heldEarlier.has(id) && !confirmedDeletions.has(id);
  if (tripReason === null && !missing.some(stillHeld)) {
    diff.deleted = missing;
    return diff;
  }
  const held = tripReason === null ? stillHeld : (id: number) => !confirmedDeletions.has(id);
  diff.deleted = missing.filter((id) => !held(id));
  diff.heldDeletions = missing.filter(held);
  if (diff.heldDeletions.length > 0) {
    diff.deletionGuard = {
      reason: tripReason ?? 'held-earlier',
      missingCount: missing.length,
      knownCount: known.length,
      ratio: deletionGuardRatio,
    };
  }
  return diff;
}

function rejectDuplicateIds(courses: MoodleCourse[]): void {
  const seen = new Set<number>();
  const duplicates = new Set<number>();
  for (const { id } of courses) {
    if (seen.has(id)) duplicates.add(id);
    seen.add(id);
  }
  if (duplicates.size > 0) throw new DuplicateCourseIdsError([...duplicates].sort((a, b) => a - b));
}

/**
 * Moodle omits `idnumber` and `visible` when the token lacks `moodle/course:update`. A lost capability says
 * nothing about the course, so it must not wipe the SMS course codes or show up as a change on every course.
 */
function keepKnownValues(stored: CourseMoodleFields, incoming: CourseMoodleFields): CourseMoodleFields {
  return {
    ...incoming,
    idNumber: incoming.idNumber ?? stored.idNumber,
    visible: incoming.visible ?? stored.visible,
  };
}

function deletionGuardTripReason(
  missingCount: number,
  knownCount: number,
  listedCount: number,
  ratio: number,
): DeletionGuardTrip['reason'] | null {
  if (missingCount === 0) return null;
  // A token that lost its rights can get an empty list back instead of an error, which would look exactly like
  // a site without courses; with any ratio below 1 that is already held, but it must stay held at ratio 1 too.
  if (listedCount === 0) return 'empty-list';
  return missingCount / knownCount > ratio ? 'too-many-missing' : null;
}

/** The message an admin sees when deletions were held back, or null when none were. */
export function describeHeldDeletions(diff: CourseDiff): string | null {
  const guard = diff.deletionGuard;
  if (guard === null) return null;
  const held = diff.heldDeletions.length;
  if (guard.reason === 'held-earlier') {
    return (
      `${countCourses(held)} held back by an earlier course sync ${held === 1 ? 'is' : 'are'} still missing ` +
      `from Moodle and still not marked deleted: ${diff.heldDeletions.join(', ')}. ` +
      'Confirm the deletions if they are real.'
    );
  }
  const finding =
    guard.reason === 'empty-list'
      ? `Moodle returned an empty course list although ${countCourses(guard.knownCount)} ` +
        `${guard.knownCount === 1 ? 'is' : 'are'} known`
      : `Moodle's course list no longer contains ${guard.missingCount} of ${guard.knownCount} known ` +
        `${guard.knownCount === 1 ? 'course' : 'courses'} ` +
        `(${formatPercent(guard.missingCount / guard.knownCount)} > ${formatPercent(guard.ratio)} limit)`;
  const outcome =
    held === guard.missingCount
      ? 'they were not marked deleted'
      : `the ${held} not confirmed by an admin ${held === 1 ? 'was' : 'were'} not marked deleted`;
  return `${finding}; ${outcome}. Confirm the deletions if they are real.`;
}

function countCourses(count: number): string {
  return `${count} ${count === 1 ? 'course' : 'courses'}`;
}

function formatPercent(share: number): string {
  return `${Number((share * 100).toFixed(2))} %`;
}
