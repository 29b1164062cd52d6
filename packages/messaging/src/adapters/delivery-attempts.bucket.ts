import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Kvm, type KV } from '@nats-io/kv';
import { STREAMS } from '@hookline/contracts';
import { NatsClient } from '../nats-client';
import { withinDeadline } from './deadline';

/** The JetStream KV bucket of attempts made so far per delivery that is waiting for a retry. */
export const DELIVERY_ATTEMPTS_BUCKET = 'dispatcher_delivery_attempts';

/** Opening the bucket is a stream lookup and, the first time, a create: two API calls. */
const OPEN_CALLS = 2;

const keyOf = (deliveryId: string): string => createHash('sha256').update(deliveryId).digest('base64url');

/**
 * How many attempts a delivery has had, kept beside the job in JetStream so it survives a crash.
 * JetStream's delivery count also grows when a job is only held (breaker open, URL blocked, origin
 * busy) or handed back at shutdown, so it cannot number attempts. Instead the count is written
 * just before a retry is scheduled; the first attempt needs no read or write at all.
 */
@Injectable()
export class DeliveryAttemptsBucket implements OnModuleInit {
  private kv?: KV;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    // Kept as long as a queued job can live.
    this.kv = await withinDeadline(
      new Kvm(this.nats.js).create(DELIVERY_ATTEMPTS_BUCKET, { history: 1, ttl: STREAMS.DELIVERIES.maxAgeMs }),
      OPEN_CALLS * this.nats.requestTimeoutMs,
      'opening the delivery attempts bucket',
    );
  }

  async made(deliveryId: string): Promise<number> {
    const entry = await withinDeadline(
      this.bucket().get(keyOf(deliveryId)),
      this.nats.requestTimeoutMs,
      'reading a delivery’s attempts',
    );
    if (!entry || entry.operation !== 'PUT') return 0;
    const count = Number(entry.string());
    return Number.isInteger(count) && count > 0 ? count : 0;
  }

  async record(deliveryId: string, attempts: number): Promise<void> {
    await withinDeadline(
      this.bucket().put(keyOf(deliveryId), String(attempts)),
      this.nats.requestTimeoutMs,
      'storing a delivery’s attempts',
    );
  }

  async forget(deliveryId: string): Promise<void> {
    await withinDeadline(
      this.bucket().purge(keyOf(deliveryId)),
      this.nats.requestTimeoutMs,
      'forgetting a delivery’s attempts',
    );
  }

  private bucket(): KV {
    if (!this.kv) throw new Error('delivery attempts bucket used before module init');
    return this.kv;
  }
}
