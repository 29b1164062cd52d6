import { fmtRate, median, ms, quantile, table } from '../stats';
import type { Tally } from '../tally';
import type { Fanout, Targets } from './config';
import type { Results, RunRow, UndiciRun } from './results';

const percent = (r: number) => (Number.isFinite(r) ? `${(r * 100).toFixed(0)}%` : '-');
/** Every round's value, in order. */
const rounds = (values: number[], show: (n: number) => string) => values.map(show).join(', ');
const p99s = (tallies: Tally[]) => tallies.map((t) => t.p(0.99));

/** undici alone and the raw pipeline's runs; nothing with BENCH_RAW_MAX. */
export function rawTable(undici: UndiciRun | undefined, rawRows: RunRow[]): string[] {
  if (!undici) return [];
  const latencies = undici.result.latencies ?? [];
  return [
    'Raw limit (child process: undici keep-alive pools, 256 in flight, 32 sockets per receiver; 20 receivers in the bench process)',
    table([
      {
        run: 'raw undici alone',
        'deliveries/s': fmtRate(undici.rate),
        'p50 ms': ms(quantile(latencies, 0.5)),
        'p99 ms': ms(quantile(latencies, 0.99)),
        'max ms': ms(quantile(latencies, 1)),
        delivered: `${undici.result.sent - undici.result.failed}/${undici.result.sent}`,
        'CPU ms per delivery': '-',
      },
      ...rawRows.map((r) => ({
        run: r.run,
        'deliveries/s': fmtRate(r.tally.deliveriesPerSecond),
        'p50 ms': ms(r.tally.p(0.5)),
        'p99 ms': ms(r.tally.p(0.99)),
        'max ms': ms(r.tally.p(1)),
        delivered: `${r.tally.seen.size}/${r.tally.expected}`,
        'CPU ms per delivery': r.cpu.perDelivery(r.tally.seen.size),
      })),
    ]),
  ];
}

/** Every stack run beside the raw max it is compared with, and its p99 beside the raw pipeline's at half its max. */
export function endToEndTable(results: Results): string[] {
  const rawHalfP99 = results.rawHalf?.tally.p(0.99) ?? Number.NaN;
  return [
    `End to end (NATS ingest → change-ingest → CHANGES → matcher → DELIVERIES → dispatcher → receiver; ` +
      `${results.webhooks} webhooks; latency from the ingest request to the receiver's last body byte; ` +
      `a max run against the raw max of its round, the others against the median raw max, ${fmtRate(results.rawMax)}/s)`,
    table(
      results.rows.map((r) => ({
        run: r.run,
        'deliveries/s': fmtRate(r.tally.deliveriesPerSecond),
        'vs raw max': percent(r.tally.deliveriesPerSecond / r.rawMax),
        'p50 ms': ms(r.tally.p(0.5)),
        'p99 ms': ms(r.tally.p(0.99)),
        'vs raw p99':
          r.run.includes('max') || !Number.isFinite(rawHalfP99) ? '-' : `${(r.tally.p(0.99) / rawHalfP99).toFixed(1)}×`,
        'max ms': ms(r.tally.p(1)),
        delivered: `${r.tally.seen.size}/${r.tally.expected}${r.tally.duplicates ? ` (+${r.tally.duplicates} dup)` : ''}`,
        'CPU ms per delivery': r.cpu.perDelivery(r.tally.seen.size),
      })),
    ),
  ];
}

export interface TargetRow {
  target: string;
  measured: string;
  /** `not run`: BENCH_RUNS left out the bad-receiver series (the others are then not judged at all). */
  met: 'yes' | 'no' | 'not run';
}

/**
 * Each target on the median of its rounds, so that one slow minute of the machine neither passes
 * nor fails it; undefined when BENCH_RUNS left out runs the targets need.
 */
export function judgeTargets(results: Results, targets: Targets): TargetRow[] | undefined {
  const { maxRatios, pacedRuns, rawMaxes, offered, badSeries } = results;
  if ([maxRatios[1], maxRatios[10], pacedRuns[1], pacedRuns[10]].some((runs) => runs.length === 0)) return undefined;
  const pacedComplete = results.rows.filter((r) => !r.run.includes('max')).every((r) => r.complete);
  const throughput = (fanout: Fanout) => median(maxRatios[fanout]);
  const pacedP99 = (fanout: Fanout) => median(p99s(pacedRuns[fanout]));
  return [
    // Judged for each fan-out: a fan-out-10 change costs its matching and two hops once for ten
    // deliveries, so fan-out 10 alone would flatter the platform.
    ...([1, 10] as const).map((fanout): TargetRow => ({
      target: `fan-out ${fanout} end to end ≥ ${targets.throughputRatio * 100}% of the raw JetStream + undici max (of the same round)`,
      measured:
        `median ${percent(throughput(fanout))} (${rounds(maxRatios[fanout], percent)}); ` +
        `raw max ${rounds(rawMaxes, fmtRate)}/s`,
      met: throughput(fanout) >= targets.throughputRatio ? 'yes' : 'no',
    })),
    {
      target: `p99 < ${targets.p99Ms} ms at ${offered}/s (half of the 50% target)`,
      measured:
        `median fan-out 1 ${ms(pacedP99(1))} ms (${rounds(p99s(pacedRuns[1]), ms)}), ` +
        `fan-out 10 ${ms(pacedP99(10))} ms (${rounds(p99s(pacedRuns[10]), ms)})${pacedComplete ? '' : ' (not all delivered)'}`,
      met: Math.max(pacedP99(1), pacedP99(10)) < targets.p99Ms && pacedComplete ? 'yes' : 'no',
    },
    ...badSeries.map((series): TargetRow => {
      const [degraded, beside] = [p99s(series.degraded), p99s(series.beside)];
      const ratio = median(degraded) / median(beside);
      const judged = series.kinds.length === 1 && series.kinds[0] === 'dead';
      const target =
        `healthy receivers' p99 within ${Math.round((targets.healthyP99Ratio - 1) * 100)}% with 10% ${series.label}` +
        (judged ? '' : ' (measured, not a target)');
      if (degraded.length === 0) return { target, measured: '-', met: 'not run' };
      return {
        target,
        measured:
          `median ${ms(median(degraded))} ms (${rounds(degraded, ms)}) ` +
          `vs ${ms(median(beside))} ms (${rounds(beside, ms)}) in the healthy round before each (${percent(ratio)})`,
        met: ratio <= targets.healthyP99Ratio ? 'yes' : 'no',
      };
    }),
  ];
}

/** Payload sizes, requests that reached bad receivers, and what the runs noted. */
export function notesLines(results: Results): string[] {
  const { rows, rawRows, badSeries } = results;
  return [
    `Notes: payloads average ${fmtRate(rows[0].tally.bytes / rows[0].tally.seen.size)} bytes end to end, ${rawRows[0] ? fmtRate(rawRows[0].tally.bytes / rawRows[0].tally.seen.size) : '-'} raw.`,
    ...(badSeries.some((series) => series.degraded.length > 0)
      ? [
          `       requests that reached the bad receivers in the 10% runs (hanging ones get them): ${badSeries.map((series) => `${series.degraded.reduce((n, t) => n + t.toBad, 0)} (${series.label})`).join(', ')}`,
        ]
      : []),
    ...results.notes.map((note) => `       ${note}`),
  ];
}

/** The whole report as printed at the end: registration, raw limit, end to end, targets, notes. */
export function reportLines(results: Results, targets: Targets): string[] {
  const lines = [
    '',
    `Registration: ${results.registrationLine}`,
    '',
    ...rawTable(results.undici, results.rawRows),
    '',
    ...endToEndTable(results),
    '',
  ];
  const judged = judgeTargets(results, targets);
  if (!judged) return [...lines, 'Targets not judged: BENCH_RUNS left out some of the runs they need.'];
  return [...lines, table(judged.map((row) => ({ ...row }))), '', ...notesLines(results)];
}
