import { attemptKey, failureWindow, retryAfterSeconds } from './login-limits';

describe('login failure windows', () => {
  it('puts every moment of a window in the same one, and the next moment in the next', () => {
    const w = failureWindow(900_000 * 10 + 5, 900_000);
    expect(w).toEqual({ start: 9_000_000, end: 9_900_000 });
    expect(failureWindow(9_899_999, 900_000)).toEqual(w);
    expect(failureWindow(9_900_000, 900_000).start).toBe(9_900_000);
  });

  it('asks a refused login to wait until the window ends, in whole seconds and never 0', () => {
    const w = failureWindow(9_000_000, 900_000);
    expect(retryAfterSeconds(w, 9_000_000)).toBe(900);
    expect(retryAfterSeconds(w, 9_899_001)).toBe(1);
    expect(retryAfterSeconds(w, 9_899_999)).toBe(1);
    expect(retryAfterSeconds(w, 9_000_500)).toBe(900);
  });

  it('keeps email and address counters apart', () => {
    expect(attemptKey.email('127.0.0.1')).not.toBe(attemptKey.address('127.0.0.1'));
  });
});
