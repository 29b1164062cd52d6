import { Inject, Injectable } from '@nestjs/common';
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
import { NatsClient } from '../nats-client';
import { JetStreamPublisher } from '../publisher';
import { withinDeadline } from './deadline';

/** W3C trace context headers, copied from a parked job to its release. */
const TRACE_HEADERS = ['traceparent', 'tracestate'];
/** A released job not yet republished goes back to whoever releases next after this long (a crash). */
const RELEASE_ACK_WAIT_MS = 30_000;
/** The server removes a key's release consumer after this long without a fetch. */
const RELEASE_CONSUMER_IDLE_MS = 60 * 60_000;
/** How long a fetch waits for parked jobs; fewer than asked for end it then. */
const FETCH_EXPIRES_MS = 1_000;

/** What one release did: jobs back on DELIVERIES, and the first reason any could not be (they stay parked). */
export interface ReleaseResult {
  released: number;
  failed: number;
  firstError?: unknown;
}

/**
 * PARKED_DELIVERIES as a queue per key (an origin's or a block's): delivery jobs stored, acked, until
 * released to DELIVERIES by a durable consumer per key, shared by every dispatcher instance.
 */
@Injectable()
export class ParkedJobsQueue {
  private readonly consumers = new Map<string, Consumer>();

  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher,
  ) {}

  /** Stores the job under `key`; a second park with the same `msgId` (after a lost ack) is dropped by the stream. */
  async park(key: string, job: DeliveryJob, priorAttempts: number, msgId: string): Promise<void> {
    await withinDeadline(
      this.publisher.publishBytes(SUBJECTS.parkedDelivery(key, job.tenant, job.webhookId), encodeDeliveryJob(job), {
        msgId,
        headers: { [PRIOR_ATTEMPTS_HEADER]: String(priorAttempts) },
      }),
      this.nats.requestTimeoutMs,
      'parking a delivery job',
    );
  }

  /** Parked jobs per subject (SUBJECTS.parkedDelivery) matching `filter`, across all instances. */
  async countsBySubject(filter: string): Promise<Record<string, number>> {
    const info = await withinDeadline(
      this.nats.jsm.streams.info(STREAMS.PARKED_DELIVERIES.name, { subjects_filter: filter }),
      this.nats.requestTimeoutMs,
      'counting parked jobs',
    );
    return info.state.subjects ?? {};
  }

  /**
   * Republishes up to `count` of the jobs parked under `key` to DELIVERIES, each acked once stored
   * there; those that fail stay unacked and are offered again after RELEASE_ACK_WAIT_MS.
   */
  async release(key: string, count: number): Promise<ReleaseResult> {
    let fetched: JsMsg[];
    try {
      const consumer = await this.consumerFor(key);
      fetched = await withinDeadline(
        (async () => {
          const messages: JsMsg[] = [];
          for await (const msg of await consumer.fetch({ max_messages: count, expires: FETCH_EXPIRES_MS }))
            messages.push(msg);
          return messages;
        })(),
        FETCH_EXPIRES_MS + this.nats.requestTimeoutMs,
        'fetching parked jobs',
      );
    } catch (err) {
      // The server may have removed an idle release consumer: made again on the next release.
      this.consumers.delete(key);
      throw err;
    }
    const results = await Promise.allSettled(fetched.map((msg) => this.republish(msg)));
    const failed = results.filter((r) => r.status === 'rejected');
    return { released: results.length - failed.length, failed: failed.length, firstError: failed[0]?.reason };
  }

  /** Drops what this instance keeps for the key (its consumer handle); the server forgets it when idle. */
  forget(key: string): void {
    this.consumers.delete(key);
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
    await withinDeadline(
      this.nats.js.publish(parkedSubjectParts(msg.subject).deliverySubject, msg.data, {
        msgID: `unparked:${parkedAs}:${msg.seq}`,
        headers,
      }),
      this.nats.requestTimeoutMs,
      'releasing a parked job',
    );
    msg.ack();
  }

  private async consumerFor(key: string): Promise<Consumer> {
    const known = this.consumers.get(key);
    if (known) return known;
    const stream = STREAMS.PARKED_DELIVERIES.name;
    const durable = `release-${key}`;
    // The same config from every instance: the server treats a repeated add as a no-op.
    await withinDeadline(
      this.nats.jsm.consumers.add(stream, {
        durable_name: durable,
        filter_subject: SUBJECTS.parkedForOrigin(key),
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(RELEASE_ACK_WAIT_MS),
        deliver_policy: DeliverPolicy.All,
        max_deliver: -1,
        inactive_threshold: nanos(RELEASE_CONSUMER_IDLE_MS),
      }),
      this.nats.requestTimeoutMs,
      'declaring a release consumer',
    );
    const consumer = await withinDeadline(
      this.nats.js.consumers.get(stream, durable),
      this.nats.requestTimeoutMs,
      'looking up a release consumer',
    );
    this.consumers.set(key, consumer);
    return consumer;
  }
}
