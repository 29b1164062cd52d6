import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, type Consumer, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos } from '@nats-io/nats-core';
import {
  encodeDeliveryJob,
  parkedSubjectParts,
  PRIOR_ATTEMPTS_HEADER,
  STREAMS,
  SUBJECTS,
  type DeliveryJob,
} from '@hookline/contracts';
import { JetStreamPublisher, NatsClient } from '@hookline/messaging';
import { MetricsService, PeriodicTask } from '@hookline/service-kit';
import { OriginBreaker } from '../breaker/origin-breaker.service';
import { BlocklistService } from '../blocklist/blocklist.service';

/** W3C trace context headers, copied from a parked job to its release. */
const TRACE_HEADERS = ['traceparent', 'tracestate'];
/** How often the instance looks for parked jobs it may release. */
const SWEEP_MS = 1_000;
/** A sweep still going after this long (a stalled NATS) is abandoned; release consumers pick up where it stopped. */
const SWEEP_DEADLINE_MS = 30_000;
/** Jobs of one origin released per sweep: a recovered origin's backlog returns at most this fast. */
const RELEASE_BATCH = 1_000;
/** A released probe that has not come back (parked again, or answered) by then may be followed by another. */
const PROBE_SPACING_MS = 5_000;
/** A released job not yet republished goes back to whoever releases next after this long (a crash). */
const RELEASE_ACK_WAIT_MS = 30_000;
/** The server removes an origin's release consumer after this long without a fetch. */
const RELEASE_CONSUMER_IDLE_MS = 60 * 60_000;
const FETCH_EXPIRES_MS = 1_000;
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
  subjects: Record<string, number> | undefined,
  part: (parts: ReturnType<typeof parkedSubjectParts>) => string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [subject, count] of Object.entries(subjects ?? {})) {
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
  private readonly consumers = new Map<string, Consumer>();
  private readonly probeReleasedAt = new Map<string, number>();
  private readonly sweeper: PeriodicTask;

  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher,
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
    await this.publisher.publishBytes(SUBJECTS.parkedDelivery(key, job.tenant, job.webhookId), encodeDeliveryJob(job), {
      msgId: `${job.deliveryId}:${sourceSequence}`,
      headers: { [PRIOR_ATTEMPTS_HEADER]: String(priorAttempts) },
    });
  }

  /** Stores the job until the block `blockId` is lifted or ends (see park for `sourceSequence`). */
  async parkBlocked(blockId: string, job: DeliveryJob, priorAttempts: number, sourceSequence: number): Promise<void> {
    await this.publisher.publishBytes(
      SUBJECTS.parkedDelivery(blockKey(blockId), job.tenant, job.webhookId),
      encodeDeliveryJob(job),
      { msgId: `${job.deliveryId}:${sourceSequence}`, headers: { [PRIOR_ATTEMPTS_HEADER]: String(priorAttempts) } },
    );
  }

  /**
   * The tenant's parked jobs across all instances, per webhook (by its subject token) and per
   * origin (by originKey).
   */
  async countsFor(tenant: string): Promise<{ byWebhook: Map<string, number>; byOrigin: Map<string, number> }> {
    const info = await this.nats.jsm.streams.info(STREAMS.PARKED_DELIVERIES.name, {
      subjects_filter: SUBJECTS.parkedForTenant(tenant),
    });
    return {
      byWebhook: countBy(info.state.subjects, (p) => p.webhookToken),
      byOrigin: countBy(info.state.subjects, (p) => p.originKey),
    };
  }

  private async sweep(signal: AbortSignal): Promise<void> {
    const info = await this.nats.jsm.streams.info(STREAMS.PARKED_DELIVERIES.name, {
      subjects_filter: SUBJECTS.parkedAll,
    });
    const parked = countBy(info.state.subjects, (p) => p.originKey);
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
        await this.release(key, release === 'probe' ? 1 : Math.min(count, RELEASE_BATCH));
      } catch (err) {
        // The server may have removed an idle release consumer: made again on the next sweep.
        this.consumers.delete(key);
        this.logger.warn({ origin, err: String(err) }, 'could not release parked jobs');
      }
    }
  }

  private forget(key: string): void {
    this.originsByKey.delete(key);
    this.consumers.delete(key);
    this.probeReleasedAt.delete(key);
  }

  /** Republishes up to `count` of the origin's parked jobs to DELIVERIES, each acked once stored there. */
  private async release(key: string, count: number): Promise<void> {
    const consumer = await this.consumerFor(key);
    const fetched: JsMsg[] = [];
    for await (const msg of await consumer.fetch({ max_messages: count, expires: FETCH_EXPIRES_MS })) fetched.push(msg);
    const results = await Promise.allSettled(fetched.map((msg) => this.republish(msg)));
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0)
      // Left unacked: they are offered again after RELEASE_ACK_WAIT_MS.
      this.logger.warn({ failed: failed.length, err: String(failed[0].reason) }, 'could not release parked jobs');
  }

  private async republish(msg: JsMsg): Promise<void> {
    const headers = natsHeaders();
    headers.set(PRIOR_ATTEMPTS_HEADER, msg.headers?.get(PRIOR_ATTEMPTS_HEADER) || '0');
    // The job's trace (from when it was parked) goes on after its release.
    for (const name of TRACE_HEADERS) {
      const value = msg.headers?.get(name);
      if (value) headers.set(name, value);
    }
    // Released twice (an ack lost, or a crash before it), the job is stored once. The parking's own
    // id (delivery id and DELIVERIES sequence) keeps a recreated stream's sequences from colliding.
    const parkedAs = msg.headers?.get('Nats-Msg-Id') ?? '';
    await this.nats.js.publish(parkedSubjectParts(msg.subject).deliverySubject, msg.data, {
      msgID: `unparked:${parkedAs}:${msg.seq}`,
      headers,
    });
    msg.ack();
  }

  private async consumerFor(key: string): Promise<Consumer> {
    const known = this.consumers.get(key);
    if (known) return known;
    const stream = STREAMS.PARKED_DELIVERIES.name;
    const durable = `release-${key}`;
    // The same config from every instance: the server treats a repeated add as a no-op.
    await this.nats.jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: SUBJECTS.parkedForOrigin(key),
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(RELEASE_ACK_WAIT_MS),
      deliver_policy: DeliverPolicy.All,
      max_deliver: -1,
      inactive_threshold: nanos(RELEASE_CONSUMER_IDLE_MS),
    });
    const consumer = await this.nats.js.consumers.get(stream, durable);
    this.consumers.set(key, consumer);
    return consumer;
  }
}
