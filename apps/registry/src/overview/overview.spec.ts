import { percentile, summarize, type OverviewAttempt } from './overview';

const now = new Date('2026-01-01T12:00:30Z');
const at = (iso: string, Kind: OverviewAttempt['Kind'], LatencyMs: number): OverviewAttempt => ({
  At: new Date(iso),
  Kind,
  LatencyMs,
});

describe('the delivery overview', () => {
  it('takes the nearest-rank percentile', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('counts attempts per minute, success ratio and latency; holds are not attempts', () => {
    const overview = summarize(
      [
        at('2026-01-01T12:00:10Z', 'success', 10),
        at('2026-01-01T12:00:05Z', 'retry', 900),
        at('2026-01-01T11:59:59Z', 'success', 20),
        at('2026-01-01T11:59:00Z', 'failed', 30),
        at('2026-01-01T11:59:30Z', 'held', 0),
        // Outside the window of 2 minutes (11:59 to 12:01): ignored.
        at('2026-01-01T11:58:59Z', 'success', 5),
      ],
      now,
      2,
      false,
    );
    expect(overview).toEqual({
      WindowMinutes: 2,
      Since: '2026-01-01T11:59:00.000Z',
      Attempts: 4,
      Successes: 2,
      Failures: 2,
      PerSecond: 4 / 120,
      SuccessRatio: 0.5,
      LatencyP50Ms: 20,
      LatencyP99Ms: 900,
      Sampled: false,
      PerMinute: [
        { Minute: '2026-01-01T11:59:00.000Z', Attempts: 2, Failures: 1 },
        { Minute: '2026-01-01T12:00:00.000Z', Attempts: 2, Failures: 1 },
      ],
    });
  });

  it('has no ratio or latency before the first attempt', () => {
    expect(summarize([], now, 60, false)).toMatchObject({
      Attempts: 0,
      SuccessRatio: null,
      LatencyP50Ms: null,
      LatencyP99Ms: null,
    });
  });
});
