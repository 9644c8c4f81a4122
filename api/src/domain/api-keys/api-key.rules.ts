import { createHash, randomBytes } from 'node:crypto';

/**
 * A new secret: `rk_live_` or `rk_test_` then 32 base64url characters (192 random bits).
 * The first 14 characters are the visible prefix shown in listings.
 */
export function generateSecret(mode: 'live' | 'test'): { secret: string; prefix: string } {
  const secret = `rk_${mode}_${randomBytes(24).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, 14) };
}

/** Keys are stored as SHA-256: they are random and long, so a slow hash would add nothing. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export const SECRET_FORMAT = /^rk_(live|test)_[0-9A-Za-z_-]{32}$/;
