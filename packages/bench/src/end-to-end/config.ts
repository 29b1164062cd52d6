import { ConfigError, namesOf, positive, valueOf, type Env } from '../bench-env';
import { readProfiling, type Profiling } from '../stack-lifecycle';

export type Fanout = 1 | 10;
export type BadKind = 'dead' | 'hang';
export const RUN_NAMES = ['max1', 'paced1', 'max10', 'paced10', 'bad'] as const;
export type RunName = (typeof RUN_NAMES)[number];

/** One series of healthy/bad round pairs: the bad receivers behave one way each, in turn. */
export interface BadSeriesSpec {
  kinds: BadKind[];
  label: string;
}

export interface Targets {
  /** End-to-end max over the raw JetStream + undici max of the same round. */
  throughputRatio: number;
  /** p99 at half the throughput target. */
  p99Ms: number;
  /** Healthy receivers' p99 with 10% bad over the all-healthy round before. */
  healthyP99Ratio: number;
}

/** Everything the end-to-end bench is set up with: fixed sizes and the BENCH_* knobs. */
export interface EndToEndConfig {
  receivers: number;
  tenants: number;
  perTenant: number;
  firstSubscription: number;
  /** Receivers made bad in the bad series: 2 of 20 = 10%. */
  badReceivers: readonly number[];
  /** The dispatcher's DISPATCH_CONCURRENCY and ORIGIN_CONCURRENCY, so the raw sender has the same budget. */
  concurrency: number;
  connectionsPerOrigin: number;
  rawUndiciRequests: number;
  rawJsMessages: number;
  rawPublishWindow: number;
  /** Characters of padding in a raw body: about the size of the fan-out payloads. */
  rawBodyPadding: number;
  /** BENCH_RAW_MAX: a fixed raw max in deliveries/s instead of measuring it (no raw runs). */
  fixedRawMax?: number;
  /** Producers in flight for the max-rate runs. */
  producers: number;
  maxRunDeliveries: number;
  maxRunSendLimitMs: number;
  /**
   * Long enough for a steady p99: in 10 s runs one busy second (a GC, a burst of bookkeeping)
   * moved it by half (fan-out 10 at a quarter of the raw max: 69 to 130 ms on the same commit).
   */
  pacedSeconds: number;
  /**
   * Sent before each paced run at its rate and fan-out, and not counted: a paced run measures the
   * steady state: the first second after the stack sat idle, or of its first fan-out-1 run, had a
   * p50 of up to 190 ms.
   */
  runWarmupSeconds: number;
  /**
   * Each comparison is made this many times and judged on the median: the machine's speed drifts by
   * a fifth within minutes, and one slow minute moved a 30 s run's p99 from 35 to 185 ms.
   */
  rounds: number;
  drainTimeoutMs: number;
  settleTimeoutMs: number;
  /** Longest wait for bad receivers' parked jobs once they are back: the first probe comes BREAKER_RESET_MS (30 s) after the breaker opened. */
  recoveryTimeoutMs: number;
  registrationConcurrency: number;
  /** Webhooks registered through REST when the database is FerretDB (see registration.ts). */
  ferretdbRestWebhooks: number;
  /** BENCH_REST_WEBHOOKS: webhooks through REST whatever the database. */
  restWebhooks?: number;
  targets: Targets;
  /** BENCH_RUNS; the targets need all five. */
  runs: ReadonlySet<RunName>;
  /** BENCH_BAD: the bad receivers' series, in order. */
  bad: BadSeriesSpec[];
  /** BENCH_TRACE: queues every second, latency by second, the services' warnings. */
  trace: boolean;
  /** BENCH_WITHOUT_REGISTRY: nobody records outcomes, so settling does not wait for them. */
  withoutRegistry: boolean;
  profiling: Profiling;
}

/** dead (refusing connections; the target), hang (accepting requests, never answering), or hang+dead one of each. */
function badSeries(env: Env): BadSeriesSpec[] {
  const raw = valueOf(env, 'BENCH_BAD') ?? 'dead,hang';
  return raw.split(',').map((series) => {
    const kinds = series.split('+');
    if (kinds.some((kind) => kind !== 'dead' && kind !== 'hang'))
      throw new ConfigError(`BENCH_BAD must list dead, hang or hang+dead (got ${raw})`);
    const label = kinds.length > 1 ? 'bad (one hangs, one dead)' : kinds[0] === 'hang' ? 'hanging' : 'dead';
    return { kinds: kinds as BadKind[], label };
  });
}

/** Reads and checks the environment once, at start; a ConfigError names the variable at fault. */
export function readConfig(env: Env = process.env): EndToEndConfig {
  return {
    receivers: 20,
    tenants: positive(env, 'BENCH_TENANTS', true) ?? 1_000,
    perTenant: 10,
    firstSubscription: 1_001,
    badReceivers: [0, 1],
    concurrency: 256,
    connectionsPerOrigin: 32,
    rawUndiciRequests: 20_000,
    rawJsMessages: 20_000,
    rawPublishWindow: 256,
    rawBodyPadding: 1_500,
    fixedRawMax: positive(env, 'BENCH_RAW_MAX', false),
    producers: 64,
    maxRunDeliveries: 20_000,
    maxRunSendLimitMs: 30_000,
    pacedSeconds: positive(env, 'BENCH_PACED_SECONDS', false) ?? 30,
    runWarmupSeconds: 5,
    rounds: positive(env, 'BENCH_ROUNDS', true) ?? 3,
    drainTimeoutMs: 30_000,
    settleTimeoutMs: 60_000,
    recoveryTimeoutMs: 120_000,
    registrationConcurrency: 32,
    ferretdbRestWebhooks: 200,
    restWebhooks: positive(env, 'BENCH_REST_WEBHOOKS', true),
    targets: { throughputRatio: 0.5, p99Ms: 100, healthyP99Ratio: 1.2 },
    runs: namesOf(env, 'BENCH_RUNS', RUN_NAMES),
    bad: badSeries(env),
    trace: Boolean(valueOf(env, 'BENCH_TRACE')),
    withoutRegistry: Boolean(valueOf(env, 'BENCH_WITHOUT_REGISTRY')),
    profiling: readProfiling(env),
  };
}
