import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { registerDecorator, type ValidationOptions } from 'class-validator';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
const IV_BYTES = 12;
const KEY_BYTES = 32;

/**
 * Parses a 32-byte key given as 64 hex characters or as base64 (standard or url-safe).
 * Generate one with `openssl rand -base64 32` or
 * `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`.
 */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`must be ${KEY_BYTES} bytes, as 64 hex characters or base64 (got ${key.length} bytes)`);
  }
  return key;
}

/** Config validation: the setting holds a usable AES-256 key. */
export function IsEncryptionKey(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isEncryptionKey',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `$property must be a 32-byte key as 64 hex characters or base64 (generate one with: openssl rand -base64 32)`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            parseEncryptionKey(value);
            return true;
          } catch {
            return false;
          }
        },
      },
    });
}

/**
 * Encrypts secrets at rest with AES-256-GCM. The stored form is `v1:<iv>:<tag>:<ciphertext>`
 * (base64url parts); the version lets a later key rotation tell old values apart.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: string | Buffer) {
    this.key = typeof key === 'string' ? parseEncryptionKey(key) : key;
    if (this.key.length !== KEY_BYTES) throw new Error(`SecretBox key must be ${KEY_BYTES} bytes`);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  /** Throws when the value was not produced by this key (GCM authenticates the ciphertext). */
  decrypt(stored: string): string {
    const [version, iv, tag, ciphertext] = stored.split(':');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new Error('not an encrypted secret');
    }
    const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}

const MASK = '********';

/**
 * What a response shows instead of a secret. Long machine-made secrets keep their last four
 * characters (enough to tell which one is configured, too few to help guessing); human passwords
 * show nothing.
 */
export function maskSecret(secret: string): string {
  const prefix = secret.startsWith('whsec_') ? 'whsec_' : '';
  return secret.length >= 24 ? `${prefix}${MASK}${secret.slice(-4)}` : MASK;
}
