import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks (https://www.standardwebhooks.com) header names. */
export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24 to 64 random bytes; 32 matches the HMAC-SHA256 block strength. */
const DEFAULT_SECRET_BYTES = 32;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A new signing secret, `whsec_<base64 of random bytes>`, shown to the receiver once. */
export function generateSecret(bytes: number = DEFAULT_SECRET_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new RangeError(`secret length must be ${MIN_SECRET_BYTES}..${MAX_SECRET_BYTES} bytes`);
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** The HMAC key is the base64-decoded part after `whsec_`, as receivers' libraries decode it. */
function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new TypeError('signing secret must start with "whsec_"');
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  // Buffer.from ignores junk characters, so round-trip to catch a secret that is not base64.
  if (key.length < MIN_SECRET_BYTES || key.toString('base64') !== encoded) {
    throw new TypeError(`signing secret must be base64 of at least ${MIN_SECRET_BYTES} bytes`);
  }
  return key;
}

/** `v1,<base64 HMAC-SHA256 of "msgId.timestamp.body">`; body must be the exact bytes sent. */
export function sign(secret: string, msgId: string, timestampSeconds: number, body: string | Uint8Array): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError('timestamp must be whole seconds since the epoch');
  }
  const mac = createHmac('sha256', secretKey(secret))
    .update(`${msgId}.${timestampSeconds}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}

/**
 * The three Standard Webhooks headers. Several secrets give space-separated signatures, so a
 * receiver keeps verifying while a secret is being rotated.
 */
export function signatureHeaders(
  secrets: string | readonly string[],
  msgId: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): SignatureHeaders {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new TypeError('at least one signing secret is required');
  return {
    [WEBHOOK_ID_HEADER]: msgId,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestampSeconds),
    [WEBHOOK_SIGNATURE_HEADER]: list.map((s) => sign(s, msgId, timestampSeconds, body)).join(' '),
  };
}
