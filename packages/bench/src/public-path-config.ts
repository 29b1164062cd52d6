import { namesOf, positive, type Env } from './bench-env';

export const PUBLIC_PATH_RUNS = ['max', 'batch', 'paced', 'idle'] as const;
export type PublicPathRun = (typeof PUBLIC_PATH_RUNS)[number];

/** The public-path bench's BENCH_* knobs. */
export interface PublicPathConfig {
  rounds: number;
  pacedSeconds: number;
  idleSeconds: number;
  /** Deliveries per max run. */
  maxDeliveries: number;
  /** Changes per request in the batched runs (the endpoint takes up to INGEST_MAX_BATCH). */
  batch: number;
  runs: ReadonlySet<PublicPathRun>;
}

/** Reads and checks the environment once, at start; a ConfigError names the variable at fault. */
export function readPublicPathConfig(env: Env = process.env): PublicPathConfig {
  return {
    rounds: positive(env, 'BENCH_ROUNDS', true) ?? 3,
    pacedSeconds: positive(env, 'BENCH_PACED_SECONDS', false) ?? 30,
    idleSeconds: positive(env, 'BENCH_IDLE_SECONDS', false) ?? 60,
    maxDeliveries: positive(env, 'BENCH_MAX_DELIVERIES', true) ?? 10_000,
    batch: positive(env, 'BENCH_BATCH', true) ?? 100,
    runs: namesOf(env, 'BENCH_RUNS', PUBLIC_PATH_RUNS),
  };
}
