import type { DeliveryErrorKind, DeliveryRetryPolicy } from '@hookline/contracts';
import { holdDelayMs, nextDelayMs } from '@hookline/delivery';
import type { DispatcherConfig } from '../config/dispatcher.config';
import { applyRetryOnStatus, retryPolicyOf, type AttemptReport } from './attempt-report';
import type { OutcomeFields } from './outcome.publisher';

/** What became of one delivery of a job: the checks before an attempt, or the attempt itself. */
export type JobResult =
  /** The job can never be delivered (no spec, secrets that do not open, an invalid retry policy). */
  | { kind: 'undeliverable'; reason: string }
  /** The webhook answered 410 Gone earlier and is being deleted. */
  | { kind: 'webhook-gone' }
  /** The URL is on the blocklist until `untilMs` (epoch ms; null: until an admin lifts it). */
  | { kind: 'url-blocked'; blockId: string; reason: string; untilMs: number | null }
  /** The origin's (or shared space's) breaker is open; a probe may go after `retryInMs`. */
  | { kind: 'breaker-open'; origin: string; retryInMs: number }
  /** The origin is at its concurrency budget: local back-pressure, nothing was sent. */
  | { kind: 'origin-busy'; retryInMs: number }
  /** An attempt was made (or refused before connecting), over HTTP or through a tunnel. */
  | { kind: 'attempted'; report: AttemptReport };

/** What the decision needs to know about the job beyond this result. */
export interface JobHistory {
  /** The number of this attempt, 1 for the first (a parked job's earlier attempts count). */
  attempt: number;
  /** JetStream's delivery count of the job on DELIVERIES. */
  deliveryCount: number;
  /** A test delivery's 410 goes back to whoever tested it; the webhook stays. */
  test: boolean;
  retryPolicy: DeliveryRetryPolicy;
  /** Epoch ms, for a block's end and a Retry-After date. */
  now: number;
}

export type DecisionSettings = Pick<
  DispatcherConfig,
  'HOLD_RECHECK_MS' | 'HOLD_MAX_SPREAD_MS' | 'RETRY_MAX_DELAY_MS'
> & {
  /** Spreads jobs held for an open breaker (Math.random in the service). */
  random: () => number;
};

/** A `held` notice: not an attempt, but the registry shows why the delivery waits. */
export interface HeldNotice {
  errorKind: DeliveryErrorKind;
  error: string;
}

/**
 * What the dispatcher does with the job. `outcome` is published before the job is settled; null
 * means nothing is published.
 */
export type DeliveryDecision =
  /** Done: `gone` also marks the webhook gone (never for a test delivery). */
  | { kind: 'ack'; outcome: OutcomeFields | null; markGone: boolean }
  /** Offered again after `delayMs`; with an outcome the attempt counts, without one it does not. */
  | { kind: 'retry'; delayMs: number; outcome: OutcomeFields | null }
  /** Kept aside until the origin's probe; held for `fallbackDelayMs` instead should parking fail. */
  | { kind: 'park'; origin: string; notice: HeldNotice; fallbackDelayMs: number }
  /**
   * Kept aside until the block `blockId` is lifted or ends (released on every instance at once);
   * held for `fallbackDelayMs` instead should parking fail.
   */
  | { kind: 'park-blocked'; blockId: string; notice: HeldNotice; fallbackDelayMs: number }
  /** A poison job: its failure is recorded (kept for replay), then JetStream drops it. */
  | { kind: 'terminate'; outcome: OutcomeFields };

/** A result that is decided without the job's history, so a busy origin's job stays cheap. */
export type ResultWithoutHistory = Extract<JobResult, { kind: 'undeliverable' | 'webhook-gone' | 'origin-busy' }>;

/** The one place that turns a job's result and history into ack, retry, park or terminate. */
export function decideDelivery(result: ResultWithoutHistory): DeliveryDecision;
export function decideDelivery(result: JobResult, history: JobHistory, settings: DecisionSettings): DeliveryDecision;
export function decideDelivery(result: JobResult, history?: JobHistory, settings?: DecisionSettings): DeliveryDecision {
  if (result.kind === 'undeliverable')
    return {
      kind: 'terminate',
      outcome: { kind: 'failed', errorKind: 'invalid-job', error: result.reason, latencyMs: 0 },
    };
  if (result.kind === 'webhook-gone') return { kind: 'ack', outcome: null, markGone: false };
  // A busy origin is local back-pressure, not news for the registry: just come back shortly. (Not
  // spread out: an origin that has not answered yet, as at the start of a backlog, would then
  // drain at half the rate; one that hangs soon has its breaker open.)
  if (result.kind === 'origin-busy') return { kind: 'retry', delayMs: result.retryInMs, outcome: null };
  if (!history || !settings) throw new TypeError(`a ${result.kind} result is decided with the job's history`);
  switch (result.kind) {
    case 'url-blocked': {
      // Parked until the block is lifted or ends; should parking fail, JetStream holds the job and
      // offers it again by HOLD_RECHECK_MS at the latest, as an admin may lift the block.
      const left = result.untilMs === null ? settings.HOLD_RECHECK_MS : result.untilMs - history.now;
      return {
        kind: 'park-blocked',
        blockId: result.blockId,
        notice: { errorKind: 'url-blocked', error: `URL blocked: ${result.reason}` },
        fallbackDelayMs: Math.max(0, Math.min(left, settings.HOLD_RECHECK_MS)),
      };
    }
    case 'breaker-open':
      return {
        kind: 'park',
        origin: result.origin,
        notice: { errorKind: 'breaker-open', error: `circuit breaker open for ${result.origin}` },
        fallbackDelayMs: holdDelayMs(
          result.retryInMs,
          history.deliveryCount,
          settings.HOLD_MAX_SPREAD_MS,
          settings.random,
        ),
      };
    case 'attempted':
      return settle(result.report, history, settings);
  }
}

/** Applies the webhook's retry policy to an attempt. */
function settle(raw: AttemptReport, history: JobHistory, settings: DecisionSettings): DeliveryDecision {
  const { retryAfter, ...report } = applyRetryOnStatus(raw, history.retryPolicy.RetryOnStatus);
  if (report.kind === 'retry') {
    const policy = retryPolicyOf(history.retryPolicy, settings.RETRY_MAX_DELAY_MS);
    const delayMs = nextDelayMs(policy, history.attempt, retryAfter, history.now);
    if (delayMs !== null) return { kind: 'retry', delayMs, outcome: report };
    const error = `${report.error ?? 'failed'} (after ${history.attempt} attempts)`;
    return { kind: 'ack', outcome: { ...report, kind: 'failed', error }, markGone: false };
  }
  return { kind: 'ack', outcome: report, markGone: report.kind === 'gone' && !history.test };
}
