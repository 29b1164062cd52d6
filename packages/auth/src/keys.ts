import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every Hookline API key starts with this, so leaked keys are easy to recognise and scan for. */
export const API_KEY_PREFIX = 'hk_';

/** A new API key: 32 random bytes, base64url. Shown once; only its hash is stored. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of the key. A slow password hash is not needed: keys carry 256 bits of entropy, so the
 * hash cannot be reversed by guessing, and a fast hash keeps per-request lookups cheap.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The first characters of a key, stored in clear so an admin can tell keys apart. */
export function apiKeyHint(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time the same.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
