import { createHmac, timingSafeEqual } from 'node:crypto';

export const SECRET_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
export type SecretAlgorithm = (typeof SECRET_ALGORITHMS)[number];

/** The header GitHub (and its imitators) use for each algorithm, when a hook names none. */
export const DEFAULT_SIGNATURE_HEADERS: Record<SecretAlgorithm, string> = {
  sha1: 'x-hub-signature',
  sha256: 'x-hub-signature-256',
  sha512: 'x-hub-signature-512',
};

const DIGEST_BYTES: Record<SecretAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** HMAC of the exact body bytes, as lower-case hex. */
export function hmacHex(algorithm: SecretAlgorithm, secret: string, body: Buffer): string {
  return createHmac(algorithm, secret).update(body).digest('hex');
}

/**
 * The digest a signature header claims: `<algorithm>=<hex>` (GitHub) or bare hex. A prefix naming
 * another algorithm, or hex of the wrong length, claims nothing.
 */
export function claimedDigest(header: string | undefined, algorithm: SecretAlgorithm): Buffer | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  const eq = value.indexOf('=');
  const hex = eq < 0 ? value : value.slice(0, eq).toLowerCase() === algorithm ? value.slice(eq + 1) : undefined;
  if (hex === undefined || hex.length !== DIGEST_BYTES[algorithm] * 2 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex');
}

/**
 * True when the header carries the HMAC of `body` under one of `secrets` (the current one, and the
 * previous one during a rotation's grace period). Each comparison takes constant time.
 */
export function signatureMatches(
  header: string | undefined,
  algorithm: SecretAlgorithm,
  secrets: string[],
  body: Buffer,
): boolean {
  const claimed = claimedDigest(header, algorithm);
  if (!claimed) return false;
  let matched = false;
  // Every secret is tried even after a match, so timing does not tell which one matched.
  for (const secret of secrets) {
    const expected = createHmac(algorithm, secret).update(body).digest();
    if (timingSafeEqual(expected, claimed)) matched = true;
  }
  return matched;
}
