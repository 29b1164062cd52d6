import { summarize } from './outcome.service';

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
