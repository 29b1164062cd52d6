import { CpuUse } from '../cpu-meter';
import { Tally } from '../tally';
import { readConfig } from './config';
import { judgeTargets, reportLines } from './report';
import type { BadSeries, Results, StackRow } from './results';

const targets = readConfig({}).targets;

/** A run whose p99 (and every other quantile) is `p99` ms. */
function run(name: string, p99: number): Tally {
  const tally = new Tally(name, 1);
  tally.latencies.push(p99);
  return tally;
}

const row = (tally: Tally, complete = true): StackRow => ({
  run: tally.name,
  tally,
  cpu: new CpuUse(1, new Map()),
  complete,
  rawMax: 10_000,
});

function results({
  maxRatios = { 1: [0.6, 0.7, 0.8], 10: [0.6, 0.7, 0.8] },
  paced = { 1: [40, 50, 60], 10: [40, 50, 60] },
  complete = true,
  bad = [{ kinds: ['dead'], label: 'dead', degraded: [55], beside: [50] }],
}: {
  maxRatios?: Results['maxRatios'];
  paced?: Record<1 | 10, number[]>;
  complete?: boolean;
  bad?: (Omit<BadSeries, 'beside' | 'degraded'> & { degraded: number[]; beside: number[] })[];
} = {}): Results {
  const pacedRuns = {
    1: paced[1].map((p99, i) => run(`fan-out 1, 2500/s (round ${i + 1})`, p99)),
    10: paced[10].map((p99, i) => run(`fan-out 10, 2500/s (round ${i + 1})`, p99)),
  };
  return {
    registrationLine: '200 webhooks through REST',
    webhooks: 10_000,
    rawRows: [],
    rows: [...pacedRuns[1], ...pacedRuns[10]].map((t) => row(t, complete)),
    rawMaxes: [10_000, 10_000, 10_000],
    rawMax: 10_000,
    maxRatios,
    offered: 2_500,
    pacedRuns,
    badSeries: bad.map((series) => ({
      ...series,
      degraded: series.degraded.map((p99) => run('bad', p99)),
      beside: series.beside.map((p99) => run('beside', p99)),
    })),
    notes: [],
  };
}

const verdicts = (r: Results) => judgeTargets(r, targets)!.map((t) => t.met);

describe('judgeTargets', () => {
  it('meets the throughput target at a median of exactly 50% of the raw max, not just below it', () => {
    expect(verdicts(results({ maxRatios: { 1: [0.4, 0.5, 0.9], 10: [0.49, 0.49, 0.9] } })).slice(0, 2)).toEqual([
      'yes',
      'no',
    ]);
  });

  it('meets the p99 target below 100 ms at both fan-outs, not at 100 ms', () => {
    expect(verdicts(results({ paced: { 1: [99.9], 10: [99.9] } }))[2]).toBe('yes');
    expect(verdicts(results({ paced: { 1: [20], 10: [100] } }))[2]).toBe('no');
  });

  it('fails the p99 target when a paced run did not deliver everything, however fast', () => {
    const row = judgeTargets(results({ paced: { 1: [10], 10: [10] }, complete: false }), targets)![2];
    expect(row.met).toBe('no');
    expect(row.measured).toContain('(not all delivered)');
  });

  it("judges the healthy receivers' p99 with 10% bad against 1.2 times the healthy round's", () => {
    const at = (degraded: number) =>
      verdicts(results({ bad: [{ kinds: ['dead'], label: 'dead', degraded: [degraded], beside: [50] }] }))[3];
    expect(at(60)).toBe('yes');
    expect(at(61)).toBe('no');
  });

  it('compares the medians of the bad rounds and of the healthy rounds before them', () => {
    const row = judgeTargets(
      results({ bad: [{ kinds: ['dead'], label: 'dead', degraded: [200, 50, 55], beside: [50, 48, 52] }] }),
      targets,
    )![3];
    expect(row.met).toBe('yes');
    expect(row.measured).toBe(
      'median 55.0 ms (200.0, 50.0, 55.0) vs 50.0 ms (50.0, 48.0, 52.0) in the healthy round before each (110%)',
    );
  });

  it('marks the hanging series as measured, not a target', () => {
    const rows = judgeTargets(
      results({
        bad: [
          { kinds: ['dead'], label: 'dead', degraded: [50], beside: [50] },
          { kinds: ['hang'], label: 'hanging', degraded: [50], beside: [50] },
        ],
      }),
      targets,
    )!;
    expect(rows.map((r) => r.target.endsWith('(measured, not a target)'))).toEqual([false, false, false, false, true]);
  });

  it('says a bad-receiver series was not run rather than failed when BENCH_RUNS left it out', () => {
    const rows = judgeTargets(
      results({ bad: [{ kinds: ['dead'], label: 'dead', degraded: [], beside: [] }] }),
      targets,
    )!;
    expect(rows.map((r) => r.met)).toEqual(['yes', 'yes', 'yes', 'not run']);
  });
});

describe('reportLines', () => {
  it('says the targets are not judged, and prints no notes, when BENCH_RUNS left out a run they need', () => {
    const partial = results({ maxRatios: { 1: [0.6], 10: [] } });
    expect(judgeTargets(partial, targets)).toBeUndefined();
    const lines = reportLines(partial, targets);
    expect(lines.at(-1)).toBe('Targets not judged: BENCH_RUNS left out some of the runs they need.');
    expect(lines.some((line) => line.startsWith('Notes:'))).toBe(false);
  });

  it('prints the end-to-end table, then the targets and the notes', () => {
    const lines = reportLines(results(), targets);
    expect(lines[1]).toBe('Registration: 200 webhooks through REST');
    expect(lines.findIndex((l) => l.startsWith('End to end ('))).toBeLessThan(
      lines.findIndex((l) => l.includes('| target')),
    );
    expect(lines.find((l) => l.includes('| target'))).toContain('p99 < 100 ms at 2500/s (half of the 50% target)');
    expect(lines.some((line) => line.startsWith('Notes: payloads average'))).toBe(true);
  });
});
