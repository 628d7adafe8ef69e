import { authenticate, generateApiKey, hashApiKey } from '../../../src/api/auth';

describe('API keys', () => {
  const admin = generateApiKey();
  const reader = generateApiKey();
  const keys = [
    { role: 'admin' as const, sha256: hashApiKey(admin) },
    { role: 'reader' as const, sha256: hashApiKey(reader) },
  ];

  it('names the role of a configured key, and the key by its role and the start of its hash', () => {
    expect(authenticate(`Bearer ${admin}`, keys)).toEqual({
      role: 'admin',
      keyId: `admin:${hashApiKey(admin).slice(0, 12)}`,
    });
    expect(authenticate(`bearer ${reader} `, keys)).toEqual({
      role: 'reader',
      keyId: `reader:${hashApiKey(reader).slice(0, 12)}`,
    });
  });

  it.each([null, '', 'Bearer', `Basic ${admin}`, `Bearer ${admin}x`, `Bearer ${hashApiKey(admin)}`])(
    'refuses %p',
    (header) => {
      expect(authenticate(header, keys)).toBeNull();
    },
  );

  it('makes keys that differ every time and hashes that are SHA-256 hex', () => {
    expect(generateApiKey()).not.toBe(generateApiKey());
    expect(hashApiKey('x')).toMatch(/^[0-9a-f]{64}$/);
  });
});
