import type { CourseLeaseStore } from '../../../src/store/course-leases';
import type { Database } from '../../../src/store/mongo';
import { openTestStores } from '../../support/environment';

/**
 * The per-course lease that keeps two enrollment syncs of one course apart, on the real store
 * (FerretDB locally, where an update is read-modify-write and only an insert's duplicate key is
 * atomic: docs/ferretdb.md §3). Time is given to each call, so expiry is exact.
 */
const TTL_MS = 60_000;
const T0 = new Date('2026-04-01T08:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const holder = (name: string) => ({ key: `${name}/run/1`, workflowId: name });

describe('course leases on the real store', () => {
  let database: Database;
  let leases: CourseLeaseStore;
  let nextCourse = 1;
  /** A course of each test's own. */
  const course = () => nextCourse++;

  beforeAll(async () => {
    let stores;
    ({ database, stores } = await openTestStores());
    leases = stores.courseLeases;
  });

  afterAll(async () => {
    await database?.close();
  });

  const claimsOf = (courseId: number) => leases.collection.find({ courseId }).toArray();

  it('gives a free course to the first holder, and names it to the next one', async () => {
    const courseId = course();
    const first = await leases.take(courseId, holder('run-a'), T0, TTL_MS);
    expect(first).toEqual({
      taken: true,
      lease: { courseId, id: `${courseId}#1`, holder: 'run-a/run/1', expiresAt: at(TTL_MS) },
    });
    expect(await leases.take(courseId, holder('run-b'), at(1_000), TTL_MS)).toEqual({ taken: false, heldBy: 'run-a' });
  });

  it('lets a retried attempt of the holder keep its live lease, extended', async () => {
    const courseId = course();
    await leases.take(courseId, holder('run-a'), T0, TTL_MS);
    const again = await leases.take(courseId, holder('run-a'), at(5_000), TTL_MS);
    expect(again).toMatchObject({ taken: true, lease: { id: `${courseId}#1`, expiresAt: at(5_000 + TTL_MS) } });
    expect(await claimsOf(courseId)).toHaveLength(1);
  });

  it('hands a released course to the next holder at once, as a new generation, keeping one claim', async () => {
    const courseId = course();
    const first = await leases.take(courseId, holder('run-a'), T0, TTL_MS);
    if (!first.taken) throw new Error('not taken');
    await leases.release(first.lease, at(2_000));
    const second = await leases.take(courseId, holder('run-b'), at(2_000), TTL_MS);
    expect(second).toMatchObject({ taken: true, lease: { id: `${courseId}#2`, holder: 'run-b/run/1' } });
    expect((await claimsOf(courseId)).map((claim) => claim._id)).toEqual([`${courseId}#2`]);
  });

  it('renews a live lease, and hands an expired one to the next holder, out of the old one’s reach', async () => {
    const courseId = course();
    const first = await leases.take(courseId, holder('run-a'), T0, TTL_MS);
    if (!first.taken) throw new Error('not taken');
    const renewed = await leases.renew(first.lease, at(TTL_MS - 1), TTL_MS);
    expect(renewed?.expiresAt).toEqual(at(2 * TTL_MS - 1));
    expect(await leases.take(courseId, holder('run-b'), at(TTL_MS + 1), TTL_MS)).toMatchObject({ taken: false });

    // run-a's worker dies: no renewal, the lease runs out, run-b takes the course.
    const taken = await leases.take(courseId, holder('run-b'), at(2 * TTL_MS), TTL_MS);
    expect(taken).toMatchObject({ taken: true, lease: { id: `${courseId}#2` } });
    expect(await leases.renew(renewed!, at(2 * TTL_MS + 1), TTL_MS)).toBeNull();
    // Even with a clock behind, the stale holder learns it lost: the newest claim is not its own.
    expect(await leases.renew(renewed!, at(TTL_MS), TTL_MS)).toBeNull();
    await leases.release(renewed!, at(2 * TTL_MS + 2));
    expect(await leases.take(courseId, holder('run-c'), at(2 * TTL_MS + 3), TTL_MS)).toEqual({
      taken: false,
      heldBy: 'run-b',
    });
  });

  it.each([
    ['a free course', false],
    ['a course whose lease expired', true],
  ])('gives %s to exactly one of many holders asking at the same moment', async (_case, expiredFirst) => {
    for (let round = 0; round < 10; round += 1) {
      const courseId = course();
      if (expiredFirst) await leases.take(courseId, holder('dead-run'), T0, TTL_MS);
      const now = at(expiredFirst ? TTL_MS : 0);
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, index) => leases.take(courseId, holder(`run-${index}`), now, TTL_MS)),
      );
      const winners = claims.flatMap((claim) => (claim.taken ? [claim.lease.holder] : []));
      expect(winners).toHaveLength(1);
      for (const claim of claims) {
        if (!claim.taken) expect(claim.heldBy === null || claim.heldBy === winners[0]!.split('/')[0]).toBe(true);
      }
    }
  });
});
