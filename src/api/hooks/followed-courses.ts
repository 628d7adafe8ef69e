import { isFollowed, type Stores } from '../../store';

/** How long a course's answer is reused: a course opened or enrolled meanwhile waits this long at most. */
export const FOLLOWED_TTL_MS = 10_000;

/** Courses remembered at once; past that the memory starts afresh (a site has thousands, not millions). */
const MAX_REMEMBERED = 50_000;

/**
 * Whether the SMS follows a course (known, not deleted, and followed as staleness counts it: enrolled
 * through the API or tried by a sync), remembered for a few seconds: a class being graded sends an event
 * per student, and a large site events for thousands of courses the SMS never shows.
 */
export class FollowedCourses {
  readonly #answers = new Map<number, { ignoredBecause: string | null; until: number }>();

  constructor(
    private readonly stores: Pick<Stores, 'courses'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Null when the course is followed; otherwise why its events are ignored. */
  async whyIgnored(courseId: number): Promise<string | null> {
    const remembered = this.#answers.get(courseId);
    if (remembered !== undefined && remembered.until > this.now()) return remembered.ignoredBecause;
    const ignoredBecause = await this.#ask(courseId);
    if (this.#answers.size >= MAX_REMEMBERED) this.#answers.clear();
    this.#answers.set(courseId, { ignoredBecause, until: this.now() + FOLLOWED_TTL_MS });
    return ignoredBecause;
  }

  async #ask(courseId: number): Promise<string | null> {
    const [course] = await this.stores.courses.getMany([courseId]);
    if (course === undefined) return `course ${courseId} is not known to the SMS`;
    if (course.deleted) return `course ${courseId} was deleted in Moodle`;
    return isFollowed(course) ? null : `the SMS follows no student of course ${courseId}`;
  }
}
