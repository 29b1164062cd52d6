import { createHmac } from 'node:crypto';
import { claimedDigest, signatureMatches } from './signature';

const body = Buffer.from('{"zen":"Keep it logically awesome."}');
const hex = (algorithm: string, secret: string) => createHmac(algorithm, secret).update(body).digest('hex');

describe('signature check', () => {
  it('accepts the prefixed and the bare form, in either case, for each algorithm', () => {
    for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
      expect(signatureMatches(`${algorithm}=${hex(algorithm, 's')}`, algorithm, ['s'], body)).toBe(true);
      expect(signatureMatches(hex(algorithm, 's').toUpperCase(), algorithm, ['s'], body)).toBe(true);
      expect(signatureMatches(` ${hex(algorithm, 's')} `, algorithm, ['s'], body)).toBe(true);
    }
  });

  it('refuses another algorithm, a wrong secret, a changed body, or garbage', () => {
    expect(signatureMatches(`sha1=${hex('sha1', 's')}`, 'sha256', ['s'], body)).toBe(false);
    expect(signatureMatches(`sha512=${hex('sha256', 's')}`, 'sha256', ['s'], body)).toBe(false);
    expect(signatureMatches(hex('sha256', 't'), 'sha256', ['s'], body)).toBe(false);
    expect(signatureMatches(hex('sha256', 's'), 'sha256', ['s'], Buffer.concat([body, Buffer.from(' ')]))).toBe(false);
    expect(signatureMatches(undefined, 'sha256', ['s'], body)).toBe(false);
    expect(signatureMatches(hex('sha256', 's'), 'sha256', [], body)).toBe(false);
    expect(claimedDigest('sha256=zz', 'sha256')).toBeUndefined();
    expect(claimedDigest(`sha256=${hex('sha256', 's')}00`, 'sha256')).toBeUndefined();
  });

  it('accepts any of the given secrets (current and previous)', () => {
    expect(signatureMatches(hex('sha256', 'old'), 'sha256', ['new', 'old'], body)).toBe(true);
  });
});
