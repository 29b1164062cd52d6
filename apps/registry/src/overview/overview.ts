import { STREAMS, type DispatchStatus } from '@hookline/contracts';
import type { AttemptRecord } from '../delivery-log/delivery-log.schema';

/** What the overview reads of an attempt. */
export type OverviewAttempt = Pick<AttemptRecord, 'Kind' | 'LatencyMs' | 'At'>;

export interface MinuteFigures {
  /** The start of the minute. */
  Minute: string;
  Attempts: number;
  Failures: number;
}

export interface DeliveryOverview {
  WindowMinutes: number;
  Since: string;
  Attempts: number;
  Successes: number;
  Failures: number;
  /** Attempts per second over the window. */
  PerSecond: number;
  /** Successes over attempts; null before the first attempt. */
  SuccessRatio: number | null;
  LatencyP50Ms: number | null;
  LatencyP99Ms: number | null;
  /** True when the window held more attempts than were read: the figures cover the newest ones. */
  Sampled: boolean;
  /** One entry per minute of the window, oldest first. */
  PerMinute: MinuteFigures[];
}

/** A hop between services: the stream one writes and the durable consumer the next reads it with. */
export interface QueueHopSpec {
  Hop: string;
  Stream: string;
  Consumer: string;
}

/** The pipeline's hops; the durable names are those in the consuming services' @JetStreamEvent. */
export const QUEUE_HOPS: readonly QueueHopSpec[] = [
  { Hop: 'ingest → matcher', Stream: STREAMS.CHANGES.name, Consumer: 'matcher' },
  { Hop: 'matcher → dispatcher', Stream: STREAMS.DELIVERIES.name, Consumer: 'dispatcher' },
  { Hop: 'dispatcher → registry', Stream: STREAMS.OUTCOME_BATCHES.name, Consumer: 'registry-outcome-batches' },
  { Hop: 'dispatcher → registry (single)', Stream: STREAMS.OUTCOMES.name, Consumer: 'registry-outcomes' },
];

export interface QueueHop extends QueueHopSpec {
  /** False when the consumer could not be read in time, or does not exist yet. */
  Available: boolean;
  /** Messages not yet given to the consumer; null when unavailable. */
  Pending: number | null;
  /** Messages given and not yet acked; null when unavailable. */
  AckPending: number | null;
}

export interface OpenBreaker {
  Origin: string;
  State: 'open' | 'half-open';
  Parked: number;
  NextProbeAt: string | null;
}

/** What holds deliveries back, from the dispatcher; Available is false when none answered in time. */
export interface DispatchFigures {
  Available: boolean;
  OpenBreakers: OpenBreaker[];
  ParkedJobs: number | null;
  BlockedUrls: number | null;
}

/** The delivery figures with the pipeline's queues and the dispatcher's holds. */
export interface Overview extends DeliveryOverview {
  Queues: QueueHop[];
  Dispatch: DispatchFigures;
}

/** The dispatcher's answer in the overview's words; null (no answer) marks the part unavailable. */
export function dispatchFigures(status: DispatchStatus | null): DispatchFigures {
  if (!status) return { Available: false, OpenBreakers: [], ParkedJobs: null, BlockedUrls: null };
  return {
    Available: true,
    OpenBreakers: status.openBreakers.map((b) => ({
      Origin: b.origin,
      State: b.state,
      Parked: b.parked,
      NextProbeAt: b.nextProbeAt,
    })),
    ParkedJobs: status.parkedJobs,
    BlockedUrls: status.blockedUrls,
  };
}

/** The nearest-rank percentile of sorted values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * The figures of a window of attempts. Holds are notices, not attempts, and are left out; every
 * attempt that did not succeed (to be retried or not) is a failure.
 */
export function summarize(
  attempts: readonly OverviewAttempt[],
  now: Date,
  windowMinutes: number,
  sampled: boolean,
): DeliveryOverview {
  const minuteMs = 60_000;
  const end = Math.floor(now.getTime() / minuteMs) * minuteMs + minuteMs;
  const start = end - windowMinutes * minuteMs;
  const perMinute: MinuteFigures[] = Array.from({ length: windowMinutes }, (_, i) => ({
    Minute: new Date(start + i * minuteMs).toISOString(),
    Attempts: 0,
    Failures: 0,
  }));
  const latencies: number[] = [];
  let successes = 0;
  let counted = 0;
  for (const attempt of attempts) {
    if (attempt.Kind === 'held') continue;
    const bucket = perMinute[Math.floor((attempt.At.getTime() - start) / minuteMs)];
    if (!bucket) continue;
    counted++;
    bucket.Attempts++;
    if (attempt.Kind === 'success') successes++;
    else bucket.Failures++;
    latencies.push(attempt.LatencyMs);
  }
  latencies.sort((a, b) => a - b);
  return {
    WindowMinutes: windowMinutes,
    Since: new Date(start).toISOString(),
    Attempts: counted,
    Successes: successes,
    Failures: counted - successes,
    PerSecond: counted / (windowMinutes * 60),
    SuccessRatio: counted === 0 ? null : successes / counted,
    LatencyP50Ms: percentile(latencies, 50),
    LatencyP99Ms: percentile(latencies, 99),
    Sampled: sampled,
    PerMinute: perMinute,
  };
}
