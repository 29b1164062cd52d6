import { randomBytes } from 'node:crypto';
import { SecretBox } from '@hookline/auth';
import type { ClientAuthMethod, DeliveryJob, DeliverySpec } from '@hookline/contracts';
import { generateSecret, nextDelayMs } from '@hookline/delivery';
import { Webhook } from 'standardwebhooks';
import { applyRetryOnStatus, countsAgainstOrigin, retryPolicyOf, type AttemptReport } from './attempt-report';
import {
  attemptHeaders,
  InvalidJobError,
  loggedRequest,
  prepareDelivery,
  SecretOpener,
  SECURITY_HEADER,
} from './prepared-delivery';

const box = new SecretBox(randomBytes(32));
const BMC = [408, 409, 425, 429, 502, 503, 504];

function specOf(overrides: Partial<DeliverySpec> = {}, secret = generateSecret()): DeliverySpec {
  return {
    TargetUrl: 'https://hooks.example.com/in',
    CommunicationMethod: 'http',
    SharedSpace: null,
    Security: null,
    Headers: {},
    Authentication: null,
    SigningSecret: box.encrypt(secret),
    RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 4, RetryOnStatus: BMC },
    ...overrides,
  };
}

const PAYLOAD = { rule: {}, message: { n: 1 } };

const job = (spec: DeliverySpec): DeliveryJob => ({
  deliveryId: 'msg-1:wh-1',
  tenant: '100',
  webhookId: 'wh-1',
  messageId: 'msg-1',
  spec,
  body: new TextEncoder().encode(JSON.stringify(PAYLOAD)),
  createdAt: new Date(0).toISOString(),
});

describe('retry rules', () => {
  const status = (code: number, kind: AttemptReport['kind'] = 'failed'): AttemptReport => ({
    kind,
    errorKind: 'status',
    status: code,
    latencyMs: 5,
  });

  it('retries exactly the statuses the webhook lists', () => {
    expect(applyRetryOnStatus(status(503, 'retry'), BMC).kind).toBe('retry');
    expect(applyRetryOnStatus(status(500), BMC).kind).toBe('failed');
    expect(applyRetryOnStatus(status(500), [500]).kind).toBe('retry');
    expect(applyRetryOnStatus(status(503, 'retry'), []).kind).toBe('failed');
  });

  it('keeps success, gone, redirects and transport failures as they are', () => {
    expect(applyRetryOnStatus({ kind: 'gone', errorKind: 'status', status: 410, latencyMs: 1 }, [410]).kind).toBe(
      'gone',
    );
    expect(applyRetryOnStatus({ kind: 'failed', errorKind: 'redirect', status: 302, latencyMs: 1 }, [302]).kind).toBe(
      'failed',
    );
    expect(applyRetryOnStatus({ kind: 'retry', errorKind: 'timeout', latencyMs: 1 }, []).kind).toBe('retry');
    expect(applyRetryOnStatus({ kind: 'success', status: 204, latencyMs: 1 }, []).kind).toBe('success');
  });

  it('grows delays by the multiplier and stops after MaxRetries', () => {
    const policy = retryPolicyOf(
      { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 4, RetryOnStatus: BMC },
      3_600_000,
    );
    expect([1, 2, 3, 4].map((attempt) => nextDelayMs(policy, attempt))).toEqual([1000, 4000, 16000, null]);
    expect(
      nextDelayMs(
        retryPolicyOf({ MaxRetries: 0, InitialDelayMs: 10, BackoffMultiplier: 1, RetryOnStatus: [] }, 1000),
        1,
      ),
    ).toBeNull();
  });

  it('honours Retry-After up to the cap', () => {
    const policy = retryPolicyOf(
      { MaxRetries: 3, InitialDelayMs: 100, BackoffMultiplier: 2, RetryOnStatus: BMC },
      30_000,
    );
    expect(nextDelayMs(policy, 1, '5')).toBe(5000);
    expect(nextDelayMs(policy, 1, '86400')).toBe(30_000);
  });

  it('counts transport failures and 5xx against the origin, not 4xx or auth problems', () => {
    expect(countsAgainstOrigin({ kind: 'retry', errorKind: 'timeout', latencyMs: 1 })).toBe(true);
    expect(countsAgainstOrigin({ kind: 'retry', errorKind: 'connection', latencyMs: 1 })).toBe(true);
    expect(countsAgainstOrigin(status(503, 'retry'))).toBe(true);
    expect(countsAgainstOrigin(status(429, 'retry'))).toBe(false);
    expect(countsAgainstOrigin(status(400))).toBe(false);
    expect(countsAgainstOrigin({ kind: 'retry', errorKind: 'auth', latencyMs: 0 })).toBe(false);
  });
});

describe('preparing a delivery', () => {
  it('opens the sealed secrets and signs so that standardwebhooks verifies', () => {
    const secret = generateSecret();
    const spec = specOf(
      {
        Security: 's3c',
        Headers: { 'X-Env': box.encrypt('prod') },
        Authentication: { Type: 'Basic', Username: 'u', Password: box.encrypt('p') },
      },
      secret,
    );
    const prepared = prepareDelivery(job(spec), spec, box);
    const headers = attemptHeaders('msg-1:wh-1', prepared, Math.floor(Date.now() / 1000));
    expect(headers).toMatchObject({
      'x-env': 'prod',
      [SECURITY_HEADER]: 's3c',
      authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
      'webhook-id': 'msg-1:wh-1',
    });
    expect(new Webhook(secret).verify(Buffer.from(prepared.body), headers)).toEqual(PAYLOAD);
  });

  it("lets Hookline's headers win over the webhook's own", () => {
    const spec = specOf({
      Headers: { 'Webhook-Id': box.encrypt('forged'), Authorization: box.encrypt('Bearer forged') },
      Authentication: { Type: 'Basic', Username: 'u', Password: box.encrypt('p') },
    });
    const headers = attemptHeaders('real-id', prepareDelivery(job(spec), spec, box), 1_700_000_000);
    expect(headers['webhook-id']).toBe('real-id');
    expect(headers.authorization).toMatch(/^Basic /);
    // A signed-in token replaces the Authorization header.
    const signedIn = attemptHeaders('real-id', prepareDelivery(job(spec), spec, box), 1_700_000_000, 'AR-JWT tok');
    expect(signedIn.authorization).toBe('AR-JWT tok');
  });

  it('logs the request with credentials, the signature and the webhook’s own values masked', () => {
    const spec = specOf({
      Headers: { 'X-Api-Key': box.encrypt('a-long-api-key-of-the-receiver-0042'), 'Webhook-Id': box.encrypt('forged') },
      Authentication: { Type: 'Token', Scheme: 'Bearer', Token: box.encrypt('token-value-that-is-long-enough') },
      Security: 'rally-security',
    });
    const prepared = prepareDelivery(job(spec), spec, box);
    const logged = loggedRequest(spec.TargetUrl, attemptHeaders('real-id', prepared, 1_700_000_000), prepared);
    expect(logged.url).toBe('https://hooks.example.com/in');
    expect(logged.headers).toMatchObject({
      'x-api-key': '********0042',
      authorization: '********ough',
      [SECURITY_HEADER]: '********',
      'webhook-id': 'real-id',
      'webhook-timestamp': '1700000000',
      'content-type': 'application/json',
    });
    expect(logged.headers['webhook-signature']).toMatch(/^\*{8}.{4}$/);
    expect(JSON.stringify(logged)).not.toMatch(/receiver-0042|token-value|rally-security/);
    expect(JSON.parse(logged.bodyExcerpt)).toEqual(PAYLOAD);

    const big = { ...prepared, body: new TextEncoder().encode(`"${'é'.repeat(5000)}"`) };
    expect(loggedRequest(spec.TargetUrl, {}, big).bodyExcerpt).toHaveLength(2048);
    // A success's body is left out unless DELIVERY_LOG_BODIES is `all` (HttpSender decides).
    const withoutBody = loggedRequest(
      spec.TargetUrl,
      attemptHeaders('real-id', prepared, 1_700_000_000),
      prepared,
      false,
    );
    expect(withoutBody).toEqual({ url: logged.url, headers: logged.headers });
  });

  it('rejects secrets sealed with another key, invalid retry policies and unusable signing secrets', () => {
    const other = new SecretBox(randomBytes(32));
    const wrongKey = specOf({ SigningSecret: other.encrypt(generateSecret()) });
    expect(() => prepareDelivery(job(wrongKey), wrongKey, box)).toThrow(InvalidJobError);
    const badPolicy = specOf({
      RetryPolicy: { MaxRetries: -1, InitialDelayMs: 1, BackoffMultiplier: 1, RetryOnStatus: [] },
    });
    expect(() => prepareDelivery(job(badPolicy), badPolicy, box)).toThrow('RetryPolicy is not valid');
    const notWhsec = specOf({ SigningSecret: box.encrypt('plain-password') });
    const prepared = prepareDelivery(job(notWhsec), notWhsec, box);
    expect(() => attemptHeaders('id', prepared, 1)).toThrow(InvalidJobError);
  });

  it('OAuth2 client credentials: a job queued without ClientAuthMethod uses Basic; an unknown one is refused', () => {
    const oauth = (method: { ClientAuthMethod?: ClientAuthMethod } = {}) =>
      specOf({
        Authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: 'https://auth.example.com/token',
          ClientId: 'cid',
          ClientSecret: box.encrypt('s3cret'),
          Scope: null,
          ...method,
        },
      });
    const queuedBefore = oauth();
    expect(prepareDelivery(job(queuedBefore), queuedBefore, box).signIn).toMatchObject({
      username: 'cid',
      secret: 's3cret',
      clientAuthMethod: 'client_secret_basic',
    });
    const post = oauth({ ClientAuthMethod: 'client_secret_post' });
    expect(prepareDelivery(job(post), post, box).signIn?.clientAuthMethod).toBe('client_secret_post');
    // A producer newer than this dispatcher could send a method it does not know.
    const unknown = oauth({ ClientAuthMethod: 'private_key_jwt' as ClientAuthMethod });
    expect(() => prepareDelivery(job(unknown), unknown, box)).toThrow('Authentication.ClientAuthMethod is not known');
  });

  it("opens each webhook's secrets once across its jobs, and keeps refusing ones it cannot open", () => {
    let opened = 0;
    const secrets = new SecretOpener({ decrypt: (sealed) => (opened++, box.decrypt(sealed)) });
    const spec = specOf({ Headers: { 'X-Env': box.encrypt('prod') } });
    for (let i = 0; i < 3; i++) expect(prepareDelivery(job(spec), spec, secrets).headers['x-env']).toBe('prod');
    expect(opened).toBe(2);
    const wrongKey = specOf({ SigningSecret: new SecretBox(randomBytes(32)).encrypt(generateSecret()) });
    for (let i = 0; i < 2; i++)
      expect(() => prepareDelivery(job(wrongKey), wrongKey, secrets)).toThrow(InvalidJobError);
  });
});
