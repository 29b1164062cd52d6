import type { CpuUse } from '../cpu-meter';
import type { RawSenderResult } from '../raw-sender';
import type { Tally } from '../tally';
import type { BadSeriesSpec, Fanout } from './config';

/** One measured run: its receipts, the CPU it took, and whether every expected delivery came. */
export interface RunRow {
  run: string;
  tally: Tally;
  cpu: CpuUse;
  complete: boolean;
}

/** A run of the stack, with the raw max it is compared with. */
export interface StackRow extends RunRow {
  rawMax: number;
}

/** undici alone, in the raw sender's process. */
export interface UndiciRun {
  result: RawSenderResult;
  rate: number;
  cpuLine: string;
}

/** A bad series' rounds: each bad round beside the all-healthy fan-out-10 round run right before it. */
export interface BadSeries extends BadSeriesSpec {
  beside: Tally[];
  degraded: Tally[];
}

/** What the series measured, for the report. */
export interface Results {
  registrationLine: string;
  /** Webhooks registered. */
  webhooks: number;
  /** Absent with BENCH_RAW_MAX. */
  undici?: UndiciRun;
  /** The raw pipeline's runs: each round's max, then the one at half the median max. */
  rawRows: RunRow[];
  /** The raw pipeline's run at half its median max, whose p99 the paced runs are compared with. */
  rawHalf?: RunRow;
  /** Every stack run, in the order run. */
  rows: StackRow[];
  /** The raw max of each round, and their median. */
  rawMaxes: number[];
  rawMax: number;
  /** Each max run's deliveries/s over the raw max of its round. */
  maxRatios: Record<Fanout, number[]>;
  /** The paced runs' offered deliveries/s: a quarter of the median raw max. */
  offered: number;
  pacedRuns: Record<Fanout, Tally[]>;
  badSeries: BadSeries[];
  notes: string[];
}
