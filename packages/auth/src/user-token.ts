import { randomBytes } from 'node:crypto';

/** Every user access token starts with this, so the guard tells it from an API key without a lookup. */
export const USER_TOKEN_PREFIX = 'hlu_';

/** A new access token: 32 random bytes, base64url. Given once at login; only its SHA-256 is stored. */
export function generateUserToken(): string {
  return USER_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function isUserToken(credential: string): boolean {
  return credential.startsWith(USER_TOKEN_PREFIX);
}
