import { LoginLimiter } from './login-limiter';

describe('LoginLimiter', () => {
  let now: number;
  const limiter = (maxKeys?: number) => new LoginLimiter({ maxFailures: 3, windowMs: 60_000 }, () => now, maxKeys);

  beforeEach(() => (now = 1_000_000));

  it('refuses a key at its limit until its oldest failure in the window ages out', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterMs('a@x.io')).toBe(0);
      l.recordFailure('a@x.io');
      now += 10_000;
    }
    // Failures at 0, 10 and 20 s; now is 30 s: the first ages out at 60 s.
    expect(l.retryAfterMs('a@x.io')).toBe(30_000);
    expect(l.retryAfterMs('b@x.io')).toBe(0);
    now += 30_000;
    expect(l.retryAfterMs('a@x.io')).toBe(0);
    // One more failure brings it back to the limit, until the 10 s one ages out.
    l.recordFailure('a@x.io');
    expect(l.retryAfterMs('a@x.io')).toBe(10_000);
  });

  it('forgets a key on reset and takes back one failure on forgiveOne', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.recordFailure('k');
    l.forgiveOne('k');
    expect(l.retryAfterMs('k')).toBe(0);
    l.recordFailure('k');
    expect(l.retryAfterMs('k')).toBeGreaterThan(0);
    l.reset('k');
    expect(l.retryAfterMs('k')).toBe(0);
  });

  it('keeps at most maxKeys keys, dropping the least recently failing', () => {
    const l = limiter(2);
    for (const key of ['old', 'mid', 'new']) for (let i = 0; i < 3; i++) l.recordFailure(key);
    expect(l.retryAfterMs('old')).toBe(0);
    expect(l.retryAfterMs('mid')).toBeGreaterThan(0);
    expect(l.retryAfterMs('new')).toBeGreaterThan(0);
  });
});
