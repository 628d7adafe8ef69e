import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../../secret';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Compares in constant time: both sides are hashed first, so neither the length nor any prefix of the
 * secret shows in how long a wrong guess takes.
 */
export function secretMatches(offered: string | null, secret: Secret): boolean {
  if (offered === null) return false;
  return timingSafeEqual(digest(offered), digest(secret.reveal()));
}
