/** The two synchronizations (docs/product.md "The two synchronizations"). */
export type SyncKind = 'COURSE' | 'ENROLLMENT';

/**
 * What a sync error is about. A later success for the same scope resolves it;
 * replay reads scopes to decide what to re-run.
 */
export const SYNC_SCOPES = {
  /** A whole run of each kind failed (e.g. the preflight). */
  run: { COURSE: 'course-sync', ENROLLMENT: 'enrollment-sync' } satisfies Record<SyncKind, string>,
  /** Deletions the course sync held back, waiting for an admin. */
  heldDeletions: 'course-sync:deletions',
  course: (courseId: number) => `course:${courseId}`,
  enrollment: (enrollmentId: string) => `enrollment:${enrollmentId}`,
} as const;
