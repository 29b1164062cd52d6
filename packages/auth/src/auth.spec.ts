import { credentialOf } from './api-key.guard';
import { API_KEY_PREFIX, apiKeyHint, constantTimeEqual, generateApiKey, hashApiKey } from './keys';
import { maskSecret, parseEncryptionKey, SecretBox } from './secret-box';

describe('API keys', () => {
  it('are long, random, prefixed, and hashed to a stable sha256', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(a.length).toBeGreaterThanOrEqual(45);
    expect(a).not.toBe(b);
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(a)).toBe(hashApiKey(a));
    expect(hashApiKey(a)).not.toBe(hashApiKey(b));
    expect(apiKeyHint(a)).toBe(a.slice(0, 9));
  });

  it('compares in constant time and still tells equal from different', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('reads the key from a Bearer header first, else from the ZSESSIONID cookie', () => {
    expect(credentialOf({ headers: { authorization: 'Bearer hk_one' } })).toBe('hk_one');
    expect(credentialOf({ headers: { cookie: 'a=1; ZSESSIONID=hk_two; b=2' } })).toBe('hk_two');
    expect(credentialOf({ headers: { authorization: 'Bearer hk_one', cookie: 'ZSESSIONID=hk_two' } })).toBe('hk_one');
    expect(credentialOf({ headers: { authorization: 'Basic dXNlcjpwdw==' } })).toBeUndefined();
    expect(credentialOf({ headers: { cookie: 'ZSESSIONID=' } })).toBeUndefined();
    expect(credentialOf({ headers: {} })).toBeUndefined();
  });
});

describe('SecretBox', () => {
  const keyHex = 'a'.repeat(64);

  it('accepts 32-byte keys in hex or base64 and refuses anything else', () => {
    expect(parseEncryptionKey(keyHex)).toHaveLength(32);
    expect(parseEncryptionKey(Buffer.alloc(32, 7).toString('base64'))).toHaveLength(32);
    expect(() => parseEncryptionKey('too-short')).toThrow(/32 bytes/);
    expect(() => parseEncryptionKey(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('round-trips, uses a fresh IV each time, and detects tampering and the wrong key', () => {
    const box = new SecretBox(keyHex);
    const a = box.encrypt('s3cret');
    const b = box.encrypt('s3cret');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    expect(box.decrypt(a)).toBe('s3cret');
    const [v, iv, tag, ct] = a.split(':');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.decrypt([v, iv, tag, flipped.toString('base64url')].join(':'))).toThrow();
    expect(() => new SecretBox('b'.repeat(64)).decrypt(a)).toThrow();
    expect(() => box.decrypt('plain')).toThrow(/not an encrypted secret/);
  });

  it('masks short secrets entirely and long ones but for their last four characters', () => {
    expect(maskSecret('hunter2')).toBe('********');
    expect(maskSecret('whsec_abcdefghijklmnopqrstuvwxyz1234')).toBe('whsec_********1234');
    expect(maskSecret('x'.repeat(30) + 'WXYZ')).toBe('********WXYZ');
  });
});
