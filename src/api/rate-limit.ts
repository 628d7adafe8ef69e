import { InMemoryStore, useRateLimiter, type Identity } from '@envelop/rate-limiter';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from './auth';
import { apiError } from './errors';

/** How many mutations one API key may make in a sliding window. */
export interface MutationRateLimit {
  max: number;
  windowSeconds: number;
}

/**
 * Two a second on average: an admin triaging courses by hand never meets it, and a script enrolling a class
 * is slowed, not stopped (429 with Retry-After). A leaked or looping key cannot hammer Moodle (each
 * `createStudent` asks it) or Temporal (each trigger starts a workflow).
 */
export const MUTATION_RATE_LIMIT: MutationRateLimit = { max: 120, windowSeconds: 60 };

/** Every mutation field counts against one bucket per key; the plugin would keep one per field. */
const ALL_MUTATIONS = 'mutations';

class OneBucketPerKey extends InMemoryStore {
  override getForIdentity(identity: Identity) {
    return super.getForIdentity({ ...identity, fieldIdentity: ALL_MUTATIONS });
  }

  override setForIdentity(identity: Identity, timestamps: readonly number[]) {
    super.setForIdentity({ ...identity, fieldIdentity: ALL_MUTATIONS }, timestamps);
  }
}

/**
 * Mutations per API key (@envelop/rate-limiter, in memory: each API process counts its own). Keyed by the
 * key's id (role and hash prefix), never the key. Reads are not limited; calls the limit refuses do not count, so a
 * client that keeps trying gets through once its older calls leave the window.
 */
export function mutationRateLimit(limit: MutationRateLimit): Plugin<{ viewer: Viewer }> {
  const message =
    `Too many changes: an API key may make ${limit.max} mutations in ${limit.windowSeconds} seconds. ` +
    'Try again shortly.';
  return useRateLimiter({
    identifyFn: (context) => (context as { viewer: Viewer }).viewer.keyId,
    store: new OneBucketPerKey(),
    configByField: [
      {
        type: 'Mutation',
        field: '*',
        max: limit.max,
        window: `${limit.windowSeconds}s`,
        message,
        uncountRejected: true,
      },
    ],
    transformError: () => apiError('RATE_LIMITED', message, {}, { 'Retry-After': String(limit.windowSeconds) }),
  }) as Plugin<{ viewer: Viewer }>;
}
