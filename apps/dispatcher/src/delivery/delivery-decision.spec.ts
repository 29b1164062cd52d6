import type { DeliveryRetryPolicy } from '@hookline/contracts';
import type { AttemptReport } from './attempt-report';
import {
  decideDelivery,
  type DecisionSettings,
  type DeliveryDecision,
  type JobHistory,
  type JobResult,
  type ResultWithoutHistory,
} from './delivery-decision';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const BMC = [408, 409, 425, 429, 502, 503, 504];
const POLICY: DeliveryRetryPolicy = { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 4, RetryOnStatus: BMC };
const SETTINGS: DecisionSettings = {
  HOLD_RECHECK_MS: 60_000,
  HOLD_MAX_SPREAD_MS: 600_000,
  RETRY_MAX_DELAY_MS: 30_000,
  random: () => 0.5,
};

const history = (overrides: Partial<JobHistory> = {}): JobHistory => ({
  attempt: 1,
  deliveryCount: 1,
  test: false,
  retryPolicy: POLICY,
  now: NOW,
  ...overrides,
});

const attempted = (report: Omit<AttemptReport, 'latencyMs'> & { latencyMs?: number }): JobResult => ({
  kind: 'attempted',
  report: { latencyMs: 12, ...report },
});
const status = (code: number, kind: AttemptReport['kind'], extra: Partial<AttemptReport> = {}): JobResult =>
  attempted({ kind, errorKind: 'status', status: code, error: `HTTP ${code}`, ...extra });

describe('delivery decision', () => {
  describe('decided without the job history', () => {
    it.each<[string, ResultWithoutHistory, DeliveryDecision]>([
      [
        'a poison job is terminated with its failure recorded',
        { kind: 'undeliverable', reason: 'job has no delivery spec' },
        {
          kind: 'terminate',
          outcome: { kind: 'failed', errorKind: 'invalid-job', error: 'job has no delivery spec', latencyMs: 0 },
        },
      ],
      [
        'a job for a gone webhook is dropped silently',
        { kind: 'webhook-gone' },
        { kind: 'ack', outcome: null, markGone: false },
      ],
      [
        'a busy origin sends the job back shortly, not as an attempt',
        { kind: 'origin-busy', retryInMs: 1000 },
        { kind: 'retry', delayMs: 1000, outcome: null },
      ],
    ])('%s', (_, result, expected) => {
      expect(decideDelivery(result)).toEqual(expected);
      // The history does not change these.
      expect(decideDelivery(result, history({ attempt: 9, deliveryCount: 40 }), SETTINGS)).toEqual(expected);
    });
  });

  describe('holds and parks (not attempts)', () => {
    const blocked = (untilMs: number | null): JobResult => ({
      kind: 'url-blocked',
      blockId: '100:https://hooks.example.com/',
      reason: 'slow answers',
      untilMs,
    });
    const notice = { errorKind: 'url-blocked', error: 'URL blocked: slow answers' };

    it.each<[string, JobResult, number]>([
      [
        'a block until lifted: parked; should parking fail, looked at again after HOLD_RECHECK_MS',
        blocked(null),
        60_000,
      ],
      ['a block ending sooner: parked; should parking fail, held until it ends', blocked(NOW + 5_000), 5_000],
      ['a block ending later: parked; should parking fail, held HOLD_RECHECK_MS', blocked(NOW + 3_600_000), 60_000],
      ['a block that has just ended: parked; should parking fail, offered again at once', blocked(NOW - 1), 0],
    ])('%s', (_, result, fallbackDelayMs) => {
      expect(decideDelivery(result, history({ attempt: 2 }), SETTINGS)).toEqual({
        kind: 'park-blocked',
        blockId: '100:https://hooks.example.com/',
        notice,
        fallbackDelayMs,
      });
    });

    it.each<[number, number]>([
      // holdDelayMs: base + random() * min(HOLD_MAX_SPREAD_MS, base * 2^(deliveries - 1)).
      [1, 1_500],
      [3, 3_000],
      [40, 301_000],
    ])('an open breaker parks the job; held %s times it would fall back to %s ms', (deliveryCount, fallback) => {
      expect(
        decideDelivery(
          { kind: 'breaker-open', origin: 'https://hooks.example.com', retryInMs: 1000 },
          history({ deliveryCount }),
          SETTINGS,
        ),
      ).toEqual({
        kind: 'park',
        origin: 'https://hooks.example.com',
        notice: { errorKind: 'breaker-open', error: 'circuit breaker open for https://hooks.example.com' },
        fallbackDelayMs: fallback,
      });
    });
  });

  describe('an attempt, by its result and the attempt number', () => {
    type Row = [string, JobResult, Partial<JobHistory>, DeliveryDecision];
    const outcome = (kind: 'success' | 'retry' | 'failed' | 'gone', fields: Partial<AttemptReport> = {}) => ({
      kind,
      latencyMs: 12,
      ...fields,
    });
    const s503 = { errorKind: 'status', status: 503 } as const;

    it.each<Row>([
      [
        '2xx is acked',
        attempted({ kind: 'success', status: 204 }),
        {},
        { kind: 'ack', outcome: outcome('success', { status: 204 }), markGone: false },
      ],
      [
        'a listed status on attempt 1 is retried after InitialDelayMs',
        status(503, 'retry'),
        {},
        { kind: 'retry', delayMs: 1000, outcome: outcome('retry', { ...s503, error: 'HTTP 503' }) },
      ],
      [
        'a listed status on attempt 3 waits InitialDelayMs * multiplier^2',
        status(503, 'retry'),
        { attempt: 3 },
        { kind: 'retry', delayMs: 16_000, outcome: outcome('retry', { ...s503, error: 'HTTP 503' }) },
      ],
      [
        'a listed status after MaxRetries fails the delivery, saying how many attempts',
        status(503, 'retry'),
        { attempt: 4 },
        {
          kind: 'ack',
          outcome: outcome('failed', { ...s503, error: 'HTTP 503 (after 4 attempts)' }),
          markGone: false,
        },
      ],
      [
        'a status the webhook does not list fails at once',
        status(500, 'failed'),
        {},
        {
          kind: 'ack',
          outcome: outcome('failed', { errorKind: 'status', status: 500, error: 'HTTP 500' }),
          markGone: false,
        },
      ],
      [
        'a status the webhook lists is retried even where the default would not',
        status(500, 'failed'),
        { retryPolicy: { ...POLICY, RetryOnStatus: [500] } },
        {
          kind: 'retry',
          delayMs: 1000,
          outcome: outcome('retry', { errorKind: 'status', status: 500, error: 'HTTP 500' }),
        },
      ],
      [
        'a default-retried status the webhook leaves out fails',
        status(503, 'retry'),
        { retryPolicy: { ...POLICY, RetryOnStatus: [] } },
        { kind: 'ack', outcome: outcome('failed', { ...s503, error: 'HTTP 503' }), markGone: false },
      ],
      [
        'Retry-After longer than the backoff wins',
        status(429, 'retry', { retryAfter: '5' }),
        {},
        {
          kind: 'retry',
          delayMs: 5_000,
          outcome: outcome('retry', { errorKind: 'status', status: 429, error: 'HTTP 429' }),
        },
      ],
      [
        'Retry-After is capped by RETRY_MAX_DELAY_MS',
        status(429, 'retry', { retryAfter: '86400' }),
        {},
        {
          kind: 'retry',
          delayMs: 30_000,
          outcome: outcome('retry', { errorKind: 'status', status: 429, error: 'HTTP 429' }),
        },
      ],
      [
        '410 Gone marks the webhook gone',
        status(410, 'gone'),
        {},
        {
          kind: 'ack',
          outcome: outcome('gone', { errorKind: 'status', status: 410, error: 'HTTP 410' }),
          markGone: true,
        },
      ],
      [
        '410 Gone to a test delivery leaves the webhook (even if 410 is listed for retry)',
        status(410, 'gone'),
        { test: true, retryPolicy: { ...POLICY, RetryOnStatus: [410] } },
        {
          kind: 'ack',
          outcome: outcome('gone', { errorKind: 'status', status: 410, error: 'HTTP 410' }),
          markGone: false,
        },
      ],
      [
        'a redirect fails, whatever the webhook lists',
        attempted({ kind: 'failed', errorKind: 'redirect', status: 302, error: 'HTTP 302' }),
        { retryPolicy: { ...POLICY, RetryOnStatus: [302] } },
        {
          kind: 'ack',
          outcome: outcome('failed', { errorKind: 'redirect', status: 302, error: 'HTTP 302' }),
          markGone: false,
        },
      ],
      [
        'a timeout is retried whatever the webhook lists',
        attempted({ kind: 'retry', errorKind: 'timeout', error: 'timed out' }),
        { attempt: 2, retryPolicy: { ...POLICY, RetryOnStatus: [] } },
        { kind: 'retry', delayMs: 4_000, outcome: outcome('retry', { errorKind: 'timeout', error: 'timed out' }) },
      ],
      [
        'no listener on the shared space is retried like a connection failure',
        attempted({ kind: 'retry', errorKind: 'no-listener', latencyMs: 0 }),
        {},
        { kind: 'retry', delayMs: 1000, outcome: { kind: 'retry', errorKind: 'no-listener', latencyMs: 0 } },
      ],
      [
        'with MaxRetries 0 the first retryable failure is final; an error-less one reads "failed"',
        attempted({ kind: 'retry', errorKind: 'connection' }),
        { retryPolicy: { ...POLICY, MaxRetries: 0 } },
        {
          kind: 'ack',
          outcome: outcome('failed', { errorKind: 'connection', error: 'failed (after 1 attempts)' }),
          markGone: false,
        },
      ],
      [
        'a target the SSRF guard refuses fails at once',
        attempted({ kind: 'failed', errorKind: 'refused', error: 'private address', latencyMs: 0 }),
        {},
        {
          kind: 'ack',
          outcome: { kind: 'failed', errorKind: 'refused', error: 'private address', latencyMs: 0 },
          markGone: false,
        },
      ],
    ])('%s', (_, result, overrides, expected) => {
      expect(decideDelivery(result, history(overrides), SETTINGS)).toEqual(expected);
    });

    it("never passes the receiver's Retry-After on in the outcome", () => {
      const decision = decideDelivery(status(429, 'retry', { retryAfter: '5' }), history(), SETTINGS);
      expect(decision.kind === 'retry' && decision.outcome).not.toHaveProperty('retryAfter');
    });
  });
});
