import {
  classifyFailure,
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  holdDelayMs,
  nextDelayMs,
  parseRetryAfter,
  type RetryPolicy,
} from './retry';

describe('classifyStatus', () => {
  it.each([200, 201, 202, 204, 299])('%i is success', (status) => {
    expect(classifyStatus(status)).toEqual({ kind: 'success' });
  });

  it.each([408, 409, 425, 429, 502, 503, 504])('%i is retried', (status) => {
    expect(classifyStatus(status)).toEqual({ kind: 'retry', errorKind: 'status' });
  });

  it('410 is gone', () => {
    expect(classifyStatus(410)).toEqual({ kind: 'gone', errorKind: 'status' });
  });

  it.each([301, 302, 303, 307, 308, 304])('%i is a failed redirect, never followed', (status) => {
    expect(classifyStatus(status)).toEqual({ kind: 'failed', errorKind: 'redirect' });
  });

  it.each([400, 401, 403, 404, 405, 413, 422, 500, 501, 505])('%i fails without retry', (status) => {
    expect(classifyStatus(status)).toEqual({ kind: 'failed', errorKind: 'status' });
  });
});

describe('classifyFailure', () => {
  it('retries timeouts and connection errors but not invalid HTTP', () => {
    expect(classifyFailure('timeout')).toEqual({ kind: 'retry', errorKind: 'timeout' });
    expect(classifyFailure('connection')).toEqual({ kind: 'retry', errorKind: 'connection' });
    expect(classifyFailure('invalid-http')).toEqual({ kind: 'failed', errorKind: 'invalid-http' });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, and a past date as 0', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
  });
});

describe('nextDelayMs', () => {
  it('defaults to three retries after 10 s, 1 min and 5 min', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(4);
    expect([1, 2, 3, 4].map((n) => nextDelayMs(DEFAULT_RETRY_POLICY, n))).toEqual([10_000, 60_000, 300_000, null]);
  });

  it('maxAttempts 1 never retries', () => {
    expect(nextDelayMs({ ...DEFAULT_RETRY_POLICY, maxAttempts: 1 }, 1)).toBeNull();
  });

  it('doubles for exponential backoff, up to the cap', () => {
    const policy: RetryPolicy = {
      maxAttempts: 10,
      backoff: 'exponential',
      initialDelayMs: 1000,
      maxDelayMs: 10_000,
    };
    expect([1, 2, 3, 4, 5, 9].map((n) => nextDelayMs(policy, n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('waits the same for fixed backoff, 10 s unless told', () => {
    expect(nextDelayMs({ maxAttempts: 5, backoff: 'fixed', initialDelayMs: 2500 }, 3)).toBe(2500);
    expect(nextDelayMs({ maxAttempts: 5, backoff: 'fixed' }, 1)).toBe(10_000);
  });

  it('repeats the last listed delay when attempts outnumber the list', () => {
    const policy: RetryPolicy = { maxAttempts: 6, backoff: 'list', delaysMs: [100, 200] };
    expect([1, 2, 3, 4, 5, 6].map((n) => nextDelayMs(policy, n))).toEqual([100, 200, 200, 200, 200, null]);
  });

  it('honours a longer Retry-After, in seconds or as a date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 1, '120', now)).toBe(120_000);
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 1, 'Thu, 01 Jan 2026 00:01:30 GMT', now)).toBe(90_000);
  });

  it('keeps the backoff when Retry-After asks for less or cannot be read', () => {
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 2, '1')).toBe(60_000);
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 2, 'whenever')).toBe(60_000);
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 2, null)).toBe(60_000);
  });

  it('caps a Retry-After at maxDelayMs', () => {
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 1, '999999')).toBe(3_600_000);
    expect(nextDelayMs({ ...DEFAULT_RETRY_POLICY, maxDelayMs: 30_000 }, 1, '600')).toBe(30_000);
  });

  it('does not retry past the last attempt even if Retry-After is given', () => {
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 4, '5')).toBeNull();
  });

  it('refuses nonsense policies and attempts', () => {
    expect(() => nextDelayMs({ maxAttempts: 0, backoff: 'fixed' }, 1)).toThrow(RangeError);
    expect(() => nextDelayMs({ maxAttempts: 3, backoff: 'list' }, 1)).toThrow(/delaysMs/);
    expect(() => nextDelayMs({ maxAttempts: 3, backoff: 'list', delaysMs: [-1] }, 1)).toThrow(RangeError);
    expect(() => nextDelayMs({ maxAttempts: 3, backoff: 'fixed', initialDelayMs: NaN }, 1)).toThrow(RangeError);
    expect(() => nextDelayMs(DEFAULT_RETRY_POLICY, 0)).toThrow(RangeError);
    expect(() => nextDelayMs(DEFAULT_RETRY_POLICY, 1.5)).toThrow(RangeError);
  });
});

describe('holdDelayMs', () => {
  it('spreads a first hold over the base delay again, never before the base', () => {
    expect(holdDelayMs(30_000, 1, 600_000, () => 0)).toBe(30_000);
    expect(holdDelayMs(30_000, 1, 600_000, () => 0.5)).toBe(45_000);
    expect(holdDelayMs(30_000, 1, 600_000, () => 0.999)).toBeLessThan(60_000);
  });

  it('doubles the spread each time the job came back, up to the cap', () => {
    const longest = (deliveries: number) => holdDelayMs(30_000, deliveries, 600_000, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(longest)).toEqual([60_000, 90_000, 150_000, 270_000, 510_000, 630_000]);
    expect(longest(1_000)).toBe(630_000);
  });

  it('spreads many held jobs over the window rather than into one second', () => {
    const delays = Array.from({ length: 10_000 }, () => holdDelayMs(30_000, 1, 600_000));
    const seconds = new Set(delays.map((d) => Math.floor(d / 1000)));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(30_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
    expect(seconds.size).toBeGreaterThanOrEqual(29);
  });
});
