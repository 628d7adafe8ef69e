import { SYNC_SCOPES } from '../domain/sync-scopes';
import type { Stores } from '../store';

export interface ConfirmDeletionsResult {
  /** Courses now marked deleted. */
  deleted: number[];
  /** Requested ids that were not held (never held, or already confirmed). */
  ignored: number[];
  /** Held deletions still waiting for a confirmation. */
  stillHeld: number[];
}

/**
 * Applies deletions the course sync held back (too many courses vanished at
 * once). Only held ids are deleted; with no ids, every held deletion is. Used
 * by the GraphQL API and the command line alike.
 */
export async function confirmHeldDeletions(
  stores: Stores,
  now: Date,
  courseIds?: readonly number[],
): Promise<ConfirmDeletionsResult> {
  const { error: held, courseIds: heldIds } = await stores.syncErrors.heldCourseDeletions();
  const requested = courseIds ?? heldIds;
  const toDelete = requested.filter((id) => heldIds.includes(id));
  const deleted = await stores.courses.markDeleted(toDelete, now);
  const stillHeld = heldIds.filter((id) => !toDelete.includes(id));
  if (held !== undefined) {
    if (stillHeld.length === 0) {
      await stores.syncErrors.resolve([SYNC_SCOPES.heldDeletions], now);
    } else {
      await stores.syncErrors.amend(held._id, {
        message: `${stillHeld.length} held course deletion(s) still wait for confirmation: ${stillHeld.join(', ')}.`,
        details: { courseIds: stillHeld },
      });
    }
  }
  return { deleted, ignored: requested.filter((id) => !heldIds.includes(id)), stillHeld };
}
