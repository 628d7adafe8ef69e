import type { Collection, Db } from 'mongodb';
import { createIndexes, isDuplicateKeyError } from './mongo';

/**
 * One claim on a course: generation `generation` of its lease. Whoever inserts a generation holds the
 * course until `expiresAt`; the next generation can be inserted only once this one has expired or been
 * released. Claims are never updated by anyone but their holder, and the newest one per course stays as
 * its marker, so generations only grow.
 */
export interface CourseLeaseDocument {
  /** `<courseId>#<generation>`: the unique key that decides, on insert, who takes the course. */
  _id: string;
  courseId: number;
  generation: number;
  /** Who holds it: one activity of one workflow run, whatever its attempt. */
  holder: string;
  /** The holder's workflow id, to name it to the runs it keeps waiting. */
  workflowId: string;
  takenAt: Date;
  expiresAt: Date;
  releasedAt: Date | null;
}

export const COURSE_LEASES = 'course_sync_leases';

/** Who asks for a course. */
export interface LeaseHolder {
  key: string;
  workflowId: string;
}

/** A lease this holder took, as far as it knows. */
export interface CourseLease {
  courseId: number;
  id: string;
  holder: string;
  expiresAt: Date;
}

export type LeaseClaim = { taken: true; lease: CourseLease } | { taken: false; heldBy: string | null };

/**
 * Per-course leases: at most one enrollment sync of a course at a time, across runs and workers.
 *
 * Built on the one write FerretDB 1.24 makes atomic, an insert refused on a duplicate `_id`
 * (docs/ferretdb.md §3: its updates are read-modify-write, so a compare-and-set update, upsert or
 * `findOneAndUpdate` on an expired lease lets several takers win at once; measured). Taking a course
 * inserts the next generation of its lease; renewing and releasing update only the holder's own claim.
 * Expiry is read on the worker's clock: a skew between workers of a few seconds shortens or lengthens a
 * dead holder's lease by as much.
 */
export class CourseLeaseStore {
  readonly collection: Collection<CourseLeaseDocument>;

  constructor(db: Db) {
    this.collection = db.collection<CourseLeaseDocument>(COURSE_LEASES);
  }

  async ensureIndexes(): Promise<void> {
    await createIndexes(this.collection, [{ key: { courseId: 1 }, name: 'course_sync_leases_by_course' }]);
  }

  /**
   * Takes the course for `ttlMs`, unless another holder's lease is live. A holder that asks again while
   * its own lease is live (a retried attempt) keeps it.
   */
  async take(courseId: number, holder: LeaseHolder, now: Date, ttlMs: number): Promise<LeaseClaim> {
    const latest = await this.latest(courseId);
    if (latest !== null && latest.expiresAt > now) {
      if (latest.holder !== holder.key) return { taken: false, heldBy: latest.workflowId };
      const renewed = await this.renew(leaseOf(latest), now, ttlMs);
      return renewed === null ? { taken: false, heldBy: null } : { taken: true, lease: renewed };
    }
    const generation = (latest?.generation ?? 0) + 1;
    const claim: CourseLeaseDocument = {
      _id: `${courseId}#${generation}`,
      courseId,
      generation,
      holder: holder.key,
      workflowId: holder.workflowId,
      takenAt: now,
      expiresAt: new Date(now.getTime() + ttlMs),
      releasedAt: null,
    };
    try {
      await this.collection.insertOne(claim);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Someone took this generation first.
      return { taken: false, heldBy: (await this.latest(courseId))?.workflowId ?? null };
    }
    // Older claims only ever lose: keep the collection at one claim per course.
    if (latest !== null) await this.collection.deleteMany({ courseId, generation: { $lt: generation } });
    return { taken: true, lease: leaseOf(claim) };
  }

  /**
   * Extends a live lease by `ttlMs` from `now`; null when it is no longer this holder's (it expired
   * first, and another holder may have taken the course).
   */
  async renew(lease: CourseLease, now: Date, ttlMs: number): Promise<CourseLease | null> {
    if (lease.expiresAt <= now) return null;
    const expiresAt = new Date(now.getTime() + ttlMs);
    const { matchedCount } = await this.collection.updateOne(
      { _id: lease.id, holder: lease.holder },
      { $set: { expiresAt } },
    );
    if (matchedCount === 0 || (await this.latest(lease.courseId))?._id !== lease.id) return null;
    return { ...lease, expiresAt };
  }

  /** Lets the next holder in at once; the claim stays as the course's newest generation. */
  async release(lease: CourseLease, now: Date): Promise<void> {
    await this.collection.updateOne(
      { _id: lease.id, holder: lease.holder },
      { $set: { expiresAt: now, releasedAt: now } },
    );
  }

  /** A course has one claim, two for a moment after a new generation: sorted here, not by the server. */
  private async latest(courseId: number): Promise<CourseLeaseDocument | null> {
    const claims = await this.collection.find({ courseId }).toArray();
    return claims.reduce<CourseLeaseDocument | null>(
      (newest, claim) => (newest === null || claim.generation > newest.generation ? claim : newest),
      null,
    );
  }
}

function leaseOf(claim: CourseLeaseDocument): CourseLease {
  return { courseId: claim.courseId, id: claim._id, holder: claim.holder, expiresAt: claim.expiresAt };
}
