import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { SecretBox } from '@hookline/auth';
import { TEST_DELIVERY_PREFIX, type DeliveryJob, type DeliverySpec } from '@hookline/contracts';
import { generateSecret } from '@hookline/delivery';
import { Ack, nakAfter, term, type DeliveryAttemptsBucket } from '@hookline/messaging';
import { MetricsService } from '@hookline/service-kit';
import type { BlocklistService } from '../blocklist/blocklist.service';
import type { OriginBreaker, OriginRun } from '../breaker/origin-breaker.service';
import { DispatcherConfig } from '../config/dispatcher.config';
import type { GoneWebhooks } from '../gone/gone-webhooks.service';
import type { TargetPolicy } from '../outbound/target-policy.service';
import type { ParkedJobs } from '../parking/parked-jobs.service';
import type { TunnelClient } from '../tunnel/tunnel.client';
import type { AttemptReport } from './attempt-report';
import { DeliveryService, type JobDelivery } from './delivery.service';
import type { HttpSender } from './http-sender.service';
import type { OutcomeFields, OutcomePublisher } from './outcome.publisher';

const box = new SecretBox(randomBytes(32));
const BMC = [408, 409, 425, 429, 502, 503, 504];

const spec = (): DeliverySpec => ({
  TargetUrl: 'https://hooks.example.com/in',
  CommunicationMethod: 'http',
  SharedSpace: null,
  Security: null,
  Headers: {},
  Authentication: null,
  SigningSecret: box.encrypt(generateSecret()),
  RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 4, RetryOnStatus: BMC },
});

const jobOf = (overrides: Partial<DeliveryJob> = {}): DeliveryJob => ({
  deliveryId: 'msg_1:wh-1',
  tenant: '100',
  webhookId: 'wh-1',
  messageId: 'msg_1',
  spec: spec(),
  body: new TextEncoder().encode('{"rule":{},"message":{}}'),
  createdAt: new Date(0).toISOString(),
  ...overrides,
});

const first: JobDelivery = { count: 1, priorAttempts: 0, sequence: 7 };
const redelivered: JobDelivery = { count: 2, priorAttempts: 0, sequence: 7 };

/**
 * DeliveryService with everything past the process boundary faked: the receiver (HttpSender), the
 * KV buckets (attempt counts, gone webhooks), NATS (outcomes, parking), MongoDB (blocklist), DNS
 * (TargetPolicy), and the origin's breaker, whose answer each test sets.
 */
function dispatcher() {
  const published: { attempt: number; fields: OutcomeFields }[] = [];
  const calls = { made: 0, recorded: [] as number[], forgotten: 0, markedGone: 0, parked: [] as unknown[][] };
  const state = {
    madeBefore: 0,
    gone: false,
    block: null as { _id: string; Reason: string; Until: Date | null } | null,
    report: { kind: 'success', status: 204, latencyMs: 20 } as AttemptReport,
    origin: 'ran' as 'ran' | 'open' | 'busy',
    parkingFails: false,
  };
  const fakes = {
    attempts: {
      made: () => (calls.made++, Promise.resolve(state.madeBefore)),
      record: (_id: string, attempt: number) => (calls.recorded.push(attempt), Promise.resolve()),
      forget: () => (calls.forgotten++, Promise.resolve()),
    } as unknown as DeliveryAttemptsBucket,
    outcomes: {
      publish: (_job: DeliveryJob, attempt: number, fields: OutcomeFields) => (
        published.push({ attempt, fields }),
        Promise.resolve()
      ),
    } as unknown as OutcomePublisher,
    gone: {
      has: () => state.gone,
      markGone: () => (calls.markedGone++, Promise.resolve()),
    } as unknown as GoneWebhooks,
    blocklist: { blockOf: () => state.block, observe: () => Promise.resolve() } as unknown as BlocklistService,
    targets: {
      check: () => Promise.resolve({ ok: true, target: { url: new URL('https://hooks.example.com/in') } }),
    } as unknown as TargetPolicy,
    origins: {
      run: async (_origin: string, _tenant: string, action: () => Promise<AttemptReport>) =>
        (state.origin === 'ran'
          ? { kind: 'ran', value: await action() }
          : { kind: state.origin, retryInMs: 1000 }) as OriginRun<AttemptReport>,
    } as unknown as OriginBreaker,
    parked: {
      park: (...args: unknown[]) =>
        state.parkingFails ? Promise.reject(new Error('NATS refused')) : (calls.parked.push(args), Promise.resolve()),
      parkBlocked: (...args: unknown[]) =>
        state.parkingFails
          ? Promise.reject(new Error('NATS refused'))
          : (calls.parked.push(['blocked', ...args]), Promise.resolve()),
    } as unknown as ParkedJobs,
    http: { send: () => Promise.resolve(state.report) } as unknown as HttpSender,
  };
  const service = new DeliveryService(
    new DispatcherConfig(),
    box,
    fakes.attempts,
    fakes.outcomes,
    fakes.gone,
    fakes.blocklist,
    fakes.targets,
    fakes.origins,
    fakes.parked,
    fakes.http,
    {} as TunnelClient,
    new MetricsService('dispatcher-test'),
  );
  return { service, state, calls, published };
}

describe('DeliveryService carries out the decision', () => {
  // It logs undeliverable jobs and parking failures; the tests check what it did instead.
  beforeAll(() => Logger.overrideLogger(false));

  it('a success on the first delivery: its outcome, then ack, without reading or clearing an attempt count', async () => {
    const d = dispatcher();
    expect(await d.service.handle(jobOf(), first)).toEqual(Ack);
    expect(d.published).toEqual([{ attempt: 1, fields: { kind: 'success', status: 204, latencyMs: 20 } }]);
    expect(d.calls).toMatchObject({ made: 0, recorded: [], forgotten: 0 });
  });

  it('a retry: the attempt number comes from the count kept, is recorded, and the job comes back later', async () => {
    const d = dispatcher();
    d.state.madeBefore = 1;
    d.state.report = { kind: 'retry', errorKind: 'status', status: 503, latencyMs: 20, error: 'HTTP 503' };
    expect(await d.service.handle(jobOf(), redelivered)).toEqual(nakAfter(4000));
    expect(d.published).toEqual([{ attempt: 2, fields: expect.objectContaining({ kind: 'retry', status: 503 }) }]);
    expect(d.calls.recorded).toEqual([2]);
  });

  it('the last retry used up: failed, acked, and the attempt count cleared', async () => {
    const d = dispatcher();
    d.state.madeBefore = 3;
    d.state.report = { kind: 'retry', errorKind: 'status', status: 503, latencyMs: 20, error: 'HTTP 503' };
    expect(await d.service.handle(jobOf(), redelivered)).toEqual(Ack);
    expect(d.published[0]).toMatchObject({
      attempt: 4,
      fields: { kind: 'failed', error: 'HTTP 503 (after 4 attempts)' },
    });
    expect(d.calls).toMatchObject({ recorded: [], forgotten: 1 });
  });

  it('410 Gone marks the webhook gone, but not for a test delivery', async () => {
    const d = dispatcher();
    d.state.report = { kind: 'gone', errorKind: 'status', status: 410, latencyMs: 20, error: 'HTTP 410' };
    expect(await d.service.handle(jobOf(), first)).toEqual(Ack);
    expect(await d.service.handle(jobOf({ deliveryId: `${TEST_DELIVERY_PREFIX}1:wh-1` }), first)).toEqual(Ack);
    expect(d.calls.markedGone).toBe(1);
    expect(d.published.map((p) => p.fields.kind)).toEqual(['gone', 'gone']);
  });

  it('a busy origin: back shortly, nothing published, and no attempt count read', async () => {
    const d = dispatcher();
    d.state.origin = 'busy';
    expect(await d.service.handle(jobOf(), redelivered)).toEqual(nakAfter(1000));
    expect(d.published).toEqual([]);
    expect(d.calls.made).toBe(0);
  });

  it('an open breaker: parked with the attempts made so far, its held notice published once per attempt', async () => {
    const d = dispatcher();
    d.state.origin = 'open';
    d.state.madeBefore = 2;
    const job = jobOf();
    expect(await d.service.handle(job, redelivered)).toEqual(Ack);
    expect(await d.service.handle(job, redelivered)).toEqual(Ack);
    expect(d.calls.parked).toEqual([
      ['https://hooks.example.com', job, 2, 7],
      ['https://hooks.example.com', job, 2, 7],
    ]);
    expect(d.published).toEqual([
      {
        attempt: 3,
        fields: {
          kind: 'held',
          errorKind: 'breaker-open',
          error: 'circuit breaker open for https://hooks.example.com',
          latencyMs: 0,
        },
      },
    ]);
  });

  it('an open breaker and parking refused: JetStream holds the job instead, a little past the probe', async () => {
    const d = dispatcher();
    d.state.origin = 'open';
    d.state.parkingFails = true;
    const disposition = await d.service.handle(jobOf(), first);
    expect(disposition.kind).toBe('nak');
    expect(disposition.kind === 'nak' && disposition.delayMs).toBeGreaterThanOrEqual(1000);
    expect(disposition.kind === 'nak' && disposition.delayMs).toBeLessThanOrEqual(2000);
  });

  it('a blocked URL: parked until the block is lifted or ends, not sent, with a held notice', async () => {
    const d = dispatcher();
    d.state.block = { _id: '100:https://hooks.example.com/in', Reason: 'slow answers', Until: null };
    const job = jobOf();
    expect(await d.service.handle(job, first)).toEqual(Ack);
    expect(d.calls.parked).toEqual([['blocked', '100:https://hooks.example.com/in', job, 0, 7]]);
    expect(d.published).toEqual([
      {
        attempt: 1,
        fields: { kind: 'held', errorKind: 'url-blocked', error: 'URL blocked: slow answers', latencyMs: 0 },
      },
    ]);
  });

  it('a blocked URL and parking refused: JetStream holds the job until the block ends', async () => {
    const d = dispatcher();
    d.state.block = {
      _id: '100:https://hooks.example.com/in',
      Reason: 'slow answers',
      Until: new Date(Date.now() + 30_000),
    };
    d.state.parkingFails = true;
    const disposition = await d.service.handle(jobOf(), first);
    expect(disposition.kind === 'nak' && disposition.delayMs).toBeGreaterThan(29_000);
    expect(disposition.kind === 'nak' && disposition.delayMs).toBeLessThanOrEqual(30_000);
    expect(d.calls.parked).toEqual([]);
  });

  it('a gone webhook: acked silently', async () => {
    const d = dispatcher();
    d.state.gone = true;
    expect(await d.service.handle(jobOf(), redelivered)).toEqual(Ack);
    expect(d.published).toEqual([]);
    expect(d.calls.made).toBe(0);
  });

  it('a job without a spec: its failure recorded, then terminated', async () => {
    const d = dispatcher();
    expect(await d.service.handle(jobOf({ spec: undefined }), first)).toEqual(term(''));
    expect(d.published).toEqual([
      {
        attempt: 1,
        fields: { kind: 'failed', errorKind: 'invalid-job', error: 'job has no delivery spec', latencyMs: 0 },
      },
    ]);
  });
});
