import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateSecret, sign, signatureHeaders } from './signing';

const now = (): number => Math.floor(Date.now() / 1000);

describe('generateSecret', () => {
  it('returns whsec_ followed by base64 of 32 random bytes by default', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });

  it('refuses fewer than 24 bytes', () => {
    expect(() => generateSecret(16)).toThrow(RangeError);
    expect(Buffer.from(generateSecret(24).slice(6), 'base64')).toHaveLength(24);
  });
});

describe('sign', () => {
  it('is HMAC-SHA256 over "id.timestamp.body" with the decoded secret', () => {
    const key = Buffer.alloc(24, 7);
    const secret = `whsec_${key.toString('base64')}`;
    const expected = createHmac('sha256', key).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(sign(secret, 'msg_1', 1_700_000_000, '{"a":1}')).toBe(`v1,${expected}`);
    expect(sign(secret, 'msg_1', 1_700_000_000, Buffer.from('{"a":1}'))).toBe(`v1,${expected}`);
  });

  it('rejects malformed secrets and timestamps', () => {
    expect(() => sign('abc', 'm', 1, '')).toThrow(/whsec_/);
    expect(() => sign('whsec_c2hvcnQ=', 'm', 1, '')).toThrow(/at least 24/);
    expect(() => sign(generateSecret(), 'm', 1.5, '')).toThrow(RangeError);
  });
});

describe('signatureHeaders with the official standardwebhooks verifier', () => {
  const body = JSON.stringify({ rule: { id: 'r1' }, message: { action: 'Created' } });

  it('is accepted by Webhook.verify', () => {
    const secret = generateSecret();
    const headers = signatureHeaders(secret, 'msg_2fQ', now(), body);
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('is rejected for a tampered body, id or timestamp', () => {
    const secret = generateSecret();
    const ts = now();
    const headers = signatureHeaders(secret, 'msg_2fQ', ts, body);
    const wh = new Webhook(secret);
    expect(() => wh.verify(body.replace('Created', 'Deleted'), { ...headers })).toThrow();
    expect(() => wh.verify(body, { ...headers, 'webhook-id': 'msg_other' })).toThrow();
    expect(() => wh.verify(body, { ...headers, 'webhook-timestamp': String(ts - 1) })).toThrow();
  });

  it('is rejected under another secret', () => {
    const headers = signatureHeaders(generateSecret(), 'msg_1', now(), body);
    expect(() => new Webhook(generateSecret()).verify(body, { ...headers })).toThrow();
  });

  it('carries one signature per secret during rotation, each verifiable', () => {
    const oldSecret = generateSecret();
    const newSecret = generateSecret();
    const headers = signatureHeaders([oldSecret, newSecret], 'msg_1', now(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => signatureHeaders([], 'msg_1', now(), body)).toThrow(TypeError);
  });
});
