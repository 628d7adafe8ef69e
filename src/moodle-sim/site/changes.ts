import type { CourseChanges } from '../site-inputs';

/**
 * One change to the site, told after it is made: what a Moodle event would be
 * fired for. Ids only, so that a listener reads the current state itself
 * (events/ turns each change into the event a real Moodle fires for it).
 */
export type SiteChange =
  /** A grade set, changed or removed, by the activity or as a gradebook override. */
  | { kind: 'grade'; courseId: number; itemId: number; userId: number }
  | { kind: 'course-added' | 'course-deleted' | 'course-restored'; courseId: number }
  | { kind: 'course-updated'; courseId: number; fields: CourseChanges }
  | { kind: 'activity-added'; courseId: number; cmid: number }
  /** Shown, hidden, made stealth or not. */
  | { kind: 'activity-updated'; courseId: number; cmid: number }
  /** Shown or hidden (with its modules, whose own change is not told: Moodle fires no event for them). */
  | { kind: 'section-updated'; courseId: number; sectionId: number; sectionNumber: number }
  /** A new enrolment; a role added to an existing one is not (Moodle fires role_assigned for it). */
  | { kind: 'enrolled' | 'unenrolled'; courseId: number; userId: number }
  /** Suspended or reactivated. */
  | { kind: 'enrolment-updated'; courseId: number; userId: number };

export type SiteChangeListener = (change: SiteChange) => void;

/**
 * The listeners of one site's changes. The model's parts tell it what they
 * change, where they change it, so that a test changing the model in-process
 * and the simulator's control routes are told alike. With no listener (a
 * site being generated), telling costs one empty loop.
 */
export class SiteChanges {
  readonly #listeners = new Set<SiteChangeListener>();

  /** Adds a listener; returns what removes it. */
  listen(listener: SiteChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  tell(change: SiteChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
