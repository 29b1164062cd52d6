import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsService } from '@hookline/service-kit';
import CircuitBreaker from 'opossum';
import type { Counter } from 'prom-client';
import { DispatcherConfig } from '../config/dispatcher.config';
import { DISPATCH_CONCURRENCY, RESERVED_FOR_OTHER_ORIGINS } from '../config/limits';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What happened to an action run through the origin's budget and breaker. */
export type OriginRun<T> =
  | { kind: 'ran'; value: T }
  /** The origin's breaker is open: try again after `retryInMs`, when a probe may go through. */
  | { kind: 'open'; retryInMs: number }
  /** The origin is at its concurrency budget and its queue is full. */
  | { kind: 'busy'; retryInMs: number };

/**
 * What to do with jobs parked for an origin: leave them while its breaker is open, send one as the
 * probe once it may go, send them all once the origin is closed (or unknown to this instance).
 */
export type ParkedRelease = 'wait' | 'probe' | 'all';

export interface OriginSnapshot {
  origin: string;
  state: BreakerState;
  inFlight: number;
  waiting: number;
  /** Rolling-window counts from opossum. */
  fires: number;
  failures: number;
  successes: number;
  rejects: number;
  openedAt: Date | null;
  /** When the open breaker lets its next probe through (null: closed, or the probe is under way). */
  probeAt: Date | null;
}

/** Origins tracked at once; the least recently used idle closed one is forgotten beyond this. */
const MAX_ORIGINS = 1_000;
/** Tenants remembered per origin, for showing each tenant only the origins it delivers to. */
const MAX_TENANTS_PER_ORIGIN = 1_000;
/** A busy origin's extra jobs come back after about this long. */
const BUSY_RETRY_MS = 1_000;
/** An origin that answered within this long counts as answering (see Origin.answering). */
const ANSWERING_WINDOW_MS = 1_000;

/** Thrown inside the breaker so opossum counts the attempt against the origin; carries the result out. */
class OriginFailure<T> extends Error {
  constructor(readonly value: T) {
    super('origin failure');
  }
}

const isOpenCircuitError = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'EOPENBREAKER';

/** Spreads jobs held for the same reason so they do not all come back in the same millisecond. */
const jittered = (ms: number): number => Math.round(ms + Math.random() * Math.min(1_000, ms / 10));

class Origin {
  inFlight = 0;
  /** When the origin last answered without a failure (epoch ms; 0: never). */
  lastAnsweredAt = 0;
  /** Failed attempts since its last good answer. */
  failuresInARow = 0;
  readonly waiters: (() => void)[] = [];
  openedAt: Date | null = null;
  /** Probes that failed since the breaker was last closed. */
  failedProbes = 0;
  /** The breaker went half-open since it last opened: opening again means its probe failed. */
  probed = false;
  /** When the next probe may go (epoch ms), while the breaker is open. */
  probeAt = 0;
  readonly tenants = new Set<string>();

  constructor(readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>) {}

  /**
   * Open also while opossum is half-open ahead of the probe time: opossum waits the same
   * BREAKER_RESET_MS every time, OriginBreaker waits longer after each failed probe.
   */
  get state(): BreakerState {
    if (this.breaker.opened || this.waitingForProbe) return 'open';
    return this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  get waitingForProbe(): boolean {
    return this.breaker.halfOpen && Date.now() < this.probeAt;
  }

  /** Answered lately: its slots free up as fast as it answers. */
  get answering(): boolean {
    return Date.now() - this.lastAnsweredAt < ANSWERING_WINDOW_MS;
  }

  get idle(): boolean {
    return this.inFlight === 0 && this.waiters.length === 0;
  }
}

/**
 * Protection per target origin: an opossum circuit breaker, and a concurrency budget with a queue.
 * An origin's jobs wait for a slot while its queue is short, or while plenty of handlers are free
 * and the origin is answering (a single busy receiver may use the whole instance, a hanging one
 * may not); otherwise they go back to JetStream for a moment. A dead or slow origin therefore never takes the handlers reserved for others, and once
 * its breaker opens its jobs are turned away at once, so healthy origins keep their latency.
 */
@Injectable()
export class OriginBreaker implements OnApplicationShutdown {
  private readonly origins = new Map<string, Origin>();
  private readonly transitions: Counter<'to'>;
  /** Jobs in all origins' slots and queues. */
  private occupied = 0;

  constructor(
    @Inject(DispatcherConfig) private readonly config: DispatcherConfig,
    metrics: MetricsService,
  ) {
    this.transitions = metrics.counter('hookline_breaker_transitions_total', 'Circuit breaker state changes', ['to']);
  }

  /**
   * Runs `action` within the origin's budget and breaker. `isFailure` says which results count
   * against the origin (timeouts, connection errors, 5xx); those are still returned as `ran`.
   */
  async run<T>(
    origin: string,
    tenant: string,
    action: () => Promise<T>,
    isFailure: (value: T) => boolean,
  ): Promise<OriginRun<T>> {
    const entry = this.entry(origin);
    if (entry.tenants.size < MAX_TENANTS_PER_ORIGIN) entry.tenants.add(tenant);
    // Checked before queueing, so a job never waits for a slot of an origin that is turned away anyway.
    if ((!entry.breaker.closed && !entry.breaker.pendingClose) || entry.waitingForProbe)
      return { kind: 'open', retryInMs: this.untilProbe(entry) };
    if (entry.inFlight < this.config.ORIGIN_CONCURRENCY) {
      entry.inFlight++;
    } else if (
      entry.waiters.length < this.config.ORIGIN_QUEUE_LIMIT ||
      // Only an origin that answers: a hanging one would hold these handlers until its timeouts.
      (this.occupied < DISPATCH_CONCURRENCY - RESERVED_FOR_OTHER_ORIGINS && entry.answering)
    ) {
      this.occupied++;
      // release below hands its slot straight to the first waiter, so inFlight stays counted.
      await new Promise<void>((resolve) => entry.waiters.push(resolve));
      this.occupied--;
    } else {
      // A slot of an origin that is not answering frees up only as its requests time out.
      const retryInMs = entry.answering ? BUSY_RETRY_MS : this.config.WEBHOOK_REQUEST_TIMEOUT / 2;
      return { kind: 'busy', retryInMs: jittered(retryInMs) };
    }
    this.occupied++;
    try {
      const value = (await entry.breaker.fire(async () => {
        const result = await action();
        if (isFailure(result)) {
          if (++entry.failuresInARow >= this.config.BREAKER_CONSECUTIVE_FAILURES) entry.breaker.open();
          throw new OriginFailure(result);
        }
        entry.failuresInARow = 0;
        entry.lastAnsweredAt = Date.now();
        return result;
      })) as T;
      return { kind: 'ran', value };
    } catch (err) {
      if (err instanceof OriginFailure) return { kind: 'ran', value: err.value as T };
      if (isOpenCircuitError(err)) return { kind: 'open', retryInMs: this.untilProbe(entry) };
      throw err;
    } finally {
      this.occupied--;
      const next = entry.waiters.shift();
      if (next) next();
      else entry.inFlight--;
    }
  }

  releaseOf(origin: string): ParkedRelease {
    const entry = this.origins.get(origin);
    if (!entry || entry.state === 'closed') return 'all';
    // pendingClose: half-open with no probe under way yet.
    return entry.state === 'half-open' && entry.breaker.pendingClose ? 'probe' : 'wait';
  }

  /** Origins the tenant has delivered to, with their breaker state. */
  snapshot(tenant: string): OriginSnapshot[] {
    return [...this.origins.entries()]
      .filter(([, entry]) => entry.tenants.has(tenant))
      .map(([origin, entry]) => {
        const stats = entry.breaker.stats;
        return {
          origin,
          state: entry.state,
          inFlight: entry.inFlight,
          waiting: entry.waiters.length,
          fires: stats.fires,
          failures: stats.failures,
          successes: stats.successes,
          rejects: stats.rejects,
          openedAt: entry.openedAt,
          probeAt: entry.state === 'open' ? new Date(entry.probeAt) : null,
        };
      })
      .sort((a, b) => a.origin.localeCompare(b.origin));
  }

  onApplicationShutdown(): void {
    for (const entry of this.origins.values()) entry.breaker.shutdown();
    this.origins.clear();
  }

  private untilProbe(entry: Origin): number {
    // Half-open with the probe under way: its answer comes within one request timeout.
    if (entry.state !== 'open') return jittered(this.config.WEBHOOK_REQUEST_TIMEOUT);
    return jittered(Math.max(100, entry.probeAt - Date.now()));
  }

  /** BREAKER_RESET_MS, doubled for each probe that failed since the origin last answered well. */
  private resetMs(failedProbes: number): number {
    const { BREAKER_RESET_MS: first, BREAKER_RESET_MAX_MS: longest } = this.config;
    return Math.min(Math.max(first, longest), first * 2 ** Math.min(30, failedProbes));
  }

  private entry(origin: string): Origin {
    const existing = this.origins.get(origin);
    if (existing) {
      // Re-inserting keeps the Map in least-recently-used order for eviction.
      this.origins.delete(origin);
      this.origins.set(origin, existing);
      return existing;
    }
    const entry = new Origin(this.createBreaker());
    entry.breaker.on('open', () => {
      if (entry.probed) entry.failedProbes++;
      entry.probed = false;
      entry.openedAt = new Date();
      entry.probeAt = entry.openedAt.getTime() + this.resetMs(entry.failedProbes);
      this.transitions.inc({ to: 'open' });
    });
    entry.breaker.on('halfOpen', () => {
      entry.probed = true;
      this.transitions.inc({ to: 'half-open' });
    });
    entry.breaker.on('close', () => {
      entry.openedAt = null;
      entry.failedProbes = 0;
      entry.probed = false;
      this.transitions.inc({ to: 'closed' });
    });
    this.origins.set(origin, entry);
    if (this.origins.size > MAX_ORIGINS) this.evictOne();
    return entry;
  }

  private createBreaker(): CircuitBreaker<[() => Promise<unknown>], unknown> {
    return new CircuitBreaker((action: () => Promise<unknown>) => action(), {
      // The attempt has its own deadline (WEBHOOK_REQUEST_TIMEOUT); a second timer would only race it.
      timeout: false,
      errorThresholdPercentage: this.config.BREAKER_ERROR_PERCENT,
      volumeThreshold: this.config.BREAKER_VOLUME_THRESHOLD,
      rollingCountTimeout: this.config.BREAKER_WINDOW_MS,
      rollingCountBuckets: 10,
      resetTimeout: this.config.BREAKER_RESET_MS,
      // Nothing reads latency percentiles or snapshots: without them no timer per origin sorts the
      // window's latencies every bucket, and neither does each failure's error-rate check.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    });
  }

  /** Never an open origin: forgotten, its parked jobs would be sent back to it at once (ParkedJobs). */
  private evictOne(): void {
    for (const [origin, entry] of this.origins) {
      if (!entry.idle || entry.state !== 'closed') continue;
      entry.breaker.shutdown();
      this.origins.delete(origin);
      return;
    }
  }
}
