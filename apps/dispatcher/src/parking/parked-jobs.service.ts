import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { parkedSubjectParts, SUBJECTS, type DeliveryJob } from '@hookline/contracts';
import { ParkedJobsQueue } from '@hookline/messaging';
import { MetricsService, PeriodicTask } from '@hookline/service-kit';
import { OriginBreaker } from '../breaker/origin-breaker.service';
import { BlocklistService } from '../blocklist/blocklist.service';

/** How often the instance looks for parked jobs it may release. */
const SWEEP_MS = 1_000;
/** A sweep still going after this long (a stalled NATS) is abandoned; release consumers pick up where it stopped. */
const SWEEP_DEADLINE_MS = 30_000;
/** Jobs of one origin released per sweep: a recovered origin's backlog returns at most this fast. */
const RELEASE_BATCH = 1_000;
/** A released probe that has not come back (parked again, or answered) by then may be followed by another. */
const PROBE_SPACING_MS = 5_000;
/** An origin with nothing parked is forgotten this long after its last park. */
const FORGET_AFTER_MS = 10_000;

/** The origin as one subject token (and consumer name): origins hold `.` and `:`. */
export const originKey = (origin: string): string =>
  createHash('sha256').update(origin).digest('base64url').slice(0, 22);

/**
 * The subject token (and consumer name) of the jobs parked for a blocked URL: a key of its own, apart
 * from the breaker's origin keys (an origin never starts with `blocked `).
 */
export const blockKey = (blockId: string): string => originKey(`blocked ${blockId}`);

/** Parked jobs summed by one part of their subjects (a stream info's per-subject counts). */
function countBy(
  subjects: Record<string, number>,
  part: (parts: ReturnType<typeof parkedSubjectParts>) => string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [subject, count] of Object.entries(subjects)) {
    const key = part(parkedSubjectParts(subject));
    counts.set(key, (counts.get(key) ?? 0) + count);
  }
  return counts;
}

/**
 * Jobs of an origin whose breaker is open, kept on PARKED_DELIVERIES (acked there, so the server
 * does no work for them) until the origin may be probed: then one job goes back to DELIVERIES as
 * the probe, and once the breaker closes all of them do. Every instance sweeps: parked jobs of an
 * origin it does not know (parked by an instance that stopped) are released, and parked again by
 * whoever finds the origin still failing.
 *
 * Jobs for a blocked URL are parked the same way under their block's key (blockKey) and stay while
 * the block is in force; once it is lifted (an admin's unblock reaches every instance at once) or
 * ends, the next sweep of any instance releases them.
 */
@Injectable()
export class ParkedJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ParkedJobs');
  /** Origins of the keys this instance parked jobs under, and when it last did. */
  private readonly originsByKey = new Map<string, { origin: string; parkedAt: number }>();
  private readonly probeReleasedAt = new Map<string, number>();
  private readonly sweeper: PeriodicTask;

  constructor(
    private readonly queue: ParkedJobsQueue,
    private readonly origins: OriginBreaker,
    private readonly blocklist: BlocklistService,
    metrics: MetricsService,
  ) {
    this.sweeper = new PeriodicTask(
      {
        name: 'parked-jobs-sweep',
        everyMs: SWEEP_MS,
        deadlineMs: SWEEP_DEADLINE_MS,
        job: (signal) => this.sweep(signal),
      },
      metrics,
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }

  /**
   * Stores the job until its origin is probed. `sourceSequence` (its DELIVERIES sequence) makes a
   * second park of the same message, after a lost ack, a duplicate the stream drops.
   */
  async park(origin: string, job: DeliveryJob, priorAttempts: number, sourceSequence: number): Promise<void> {
    const key = originKey(origin);
    this.originsByKey.set(key, { origin, parkedAt: Date.now() });
    await this.queue.park(key, job, priorAttempts, `${job.deliveryId}:${sourceSequence}`);
  }

  /** Stores the job until the block `blockId` is lifted or ends (see park for `sourceSequence`). */
  async parkBlocked(blockId: string, job: DeliveryJob, priorAttempts: number, sourceSequence: number): Promise<void> {
    await this.queue.park(blockKey(blockId), job, priorAttempts, `${job.deliveryId}:${sourceSequence}`);
  }

  /**
   * The tenant's parked jobs across all instances, per webhook (by its subject token) and per
   * origin (by originKey).
   */
  async countsFor(tenant: string): Promise<{ byWebhook: Map<string, number>; byOrigin: Map<string, number> }> {
    const subjects = await this.queue.countsBySubject(SUBJECTS.parkedForTenant(tenant));
    return {
      byWebhook: countBy(subjects, (p) => p.webhookToken),
      byOrigin: countBy(subjects, (p) => p.originKey),
    };
  }

  private async sweep(signal: AbortSignal): Promise<void> {
    const parked = countBy(await this.queue.countsBySubject(SUBJECTS.parkedAll), (p) => p.originKey);
    const blocked = new Set([...this.blocklist.activeIds()].map(blockKey));
    // Not a key parked under a moment ago: its first job may be on its way to the stream.
    for (const [key, { parkedAt }] of this.originsByKey)
      if (!parked.has(key) && Date.now() - parkedAt > FORGET_AFTER_MS) this.forget(key);
    for (const [key, count] of parked) {
      if (signal.aborted) return;
      if (blocked.has(key)) continue;
      const origin = this.originsByKey.get(key)?.origin;
      const release = origin === undefined ? 'all' : this.origins.releaseOf(origin);
      if (release === 'wait') continue;
      if (release === 'probe') {
        if (Date.now() - (this.probeReleasedAt.get(key) ?? 0) < PROBE_SPACING_MS) continue;
        this.probeReleasedAt.set(key, Date.now());
      }
      try {
        const { failed, firstError } = await this.queue.release(
          key,
          release === 'probe' ? 1 : Math.min(count, RELEASE_BATCH),
        );
        // Left parked: they are offered again after the release consumer's ack wait.
        if (failed > 0) this.logger.warn({ origin, failed, err: String(firstError) }, 'could not release parked jobs');
      } catch (err) {
        this.logger.warn({ origin, err: String(err) }, 'could not release parked jobs');
      }
    }
  }

  private forget(key: string): void {
    this.originsByKey.delete(key);
    this.queue.forget(key);
    this.probeReleasedAt.delete(key);
  }
}
