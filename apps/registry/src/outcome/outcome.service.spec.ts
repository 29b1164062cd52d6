import type { DeliveryOutcome } from '@hookline/contracts';
import { attemptIdOf, summarize } from './outcome.service';

const attempt = (second: number, success: boolean, status = success ? 200 : 503) => ({
  success,
  status,
  latencyMs: second * 10,
  at: new Date(Date.UTC(2024, 0, 1, 0, 0, second)),
});

describe('summarize: what a batch of one webhook changes in its stats', () => {
  it('takes the Last* fields from the newest attempt whatever the order they came in', () => {
    const summary = summarize([attempt(3, false, 502), attempt(1, true), attempt(2, false)]);
    expect(summary).toEqual({
      fired: 3,
      failed: 2,
      errorsSinceSuccess: 2,
      lastSuccess: new Date(Date.UTC(2024, 0, 1, 0, 0, 1)),
      lastFailure: new Date(Date.UTC(2024, 0, 1, 0, 0, 3)),
      newest: attempt(3, false, 502),
    });
  });

  it('resets the error count on a success after the failures, and only adds failures when none succeeded', () => {
    expect(summarize([attempt(1, false), attempt(2, true)]).errorsSinceSuccess).toBe(0);
    const failures = summarize([attempt(1, false), attempt(2, false)]);
    expect(failures).toMatchObject({ errorsSinceSuccess: null, failed: 2, lastSuccess: null });
  });
});

describe('attemptIdOf: the delivery-log key of an attempt', () => {
  const outcome = (deliveryId: string, at: string, fields: Partial<DeliveryOutcome> = {}): DeliveryOutcome => ({
    deliveryId,
    tenant: '100',
    webhookId: 'w',
    kind: 'success',
    attempt: 1,
    latencyMs: 3,
    at,
    ...fields,
  });

  it('orders attempts by their time whatever their delivery ids, and names each attempt the same every time', () => {
    const early = outcome('msg_ffff', '2024-01-01T00:00:01.000Z');
    const late = outcome('msg_0000', '2024-01-01T00:00:02.000Z');
    expect([attemptIdOf(late), attemptIdOf(early)].sort()).toEqual([attemptIdOf(early), attemptIdOf(late)]);
    expect(attemptIdOf({ ...early })).toBe('2024-01-01T00:00:01.000Z|msg_ffff#1');
    // Another way of writing the same instant: the same key.
    expect(attemptIdOf(outcome('msg_ffff', '2024-01-01T01:00:01+01:00'))).toBe(attemptIdOf(early));
    expect(attemptIdOf({ ...early, attempt: 2 })).not.toBe(attemptIdOf(early));
  });

  it('keys a hold by its attempt alone, beside the attempt it delayed: each report of it is one entry', () => {
    const held = outcome('msg_1', '2024-01-01T00:00:01.000Z', { kind: 'held' });
    expect(attemptIdOf({ ...held, at: '2024-01-01T00:05:00.000Z' })).toBe(attemptIdOf(held));
    expect(attemptIdOf(held)).not.toBe(attemptIdOf({ ...held, kind: 'success' }));
  });
});
