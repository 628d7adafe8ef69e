import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { ApiKeyEntry } from '../config';

export type { ApiKeyEntry };
export type Role = ApiKeyEntry['role'];

export interface Viewer {
  role: Role;
  /**
   * Names the key without being it (its role and the start of its configured hash), for what is
   * counted per key, such as the mutation rate limit.
   */
  keyId: string;
}

/** Hex digits of the key's SHA-256 in its id: enough to tell configured keys apart, useless to find a key. */
const KEY_ID_HASH_DIGITS = 12;

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key (for `sms-sync api-key`); only its hash goes into configuration. */
export function generateApiKey(): string {
  return `sms_${randomBytes(24).toString('base64url')}`;
}

/**
 * The viewer an `Authorization: Bearer <key>` header names, or null. Every
 * configured hash is compared, in constant time, whatever matched before.
 */
export function authenticate(authorization: string | null, keys: readonly ApiKeyEntry[]): Viewer | null {
  const key = authorization === null ? undefined : BEARER.exec(authorization)?.[1];
  if (key === undefined) return null;
  const presented = createHash('sha256').update(key, 'utf8').digest();
  let viewer: Viewer | null = null;
  for (const entry of keys) {
    const expected = Buffer.from(entry.sha256, 'hex');
    if (expected.length === presented.length && timingSafeEqual(expected, presented) && viewer === null) {
      viewer = { role: entry.role, keyId: `${entry.role}:${entry.sha256.slice(0, KEY_ID_HASH_DIGITS)}` };
    }
  }
  return viewer;
}
