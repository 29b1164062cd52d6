import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Kvm, type KV } from '@nats-io/kv';
import { STREAMS } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';

/** JetStream KV bucket: attempts made so far per delivery that is waiting for a retry. */
export const ATTEMPTS_BUCKET = 'dispatcher_delivery_attempts';

const keyOf = (deliveryId: string): string => createHash('sha256').update(deliveryId).digest('base64url');

/**
 * How many attempts a delivery has had, kept beside the job in JetStream so it survives a crash.
 * JetStream's delivery count also grows when a job is only held (breaker open, URL blocked, origin
 * busy) or handed back at shutdown, so it cannot number attempts. Instead the count is written
 * just before a retry is scheduled; the first attempt needs no read or write at all.
 */
@Injectable()
export class AttemptCountRepository implements OnModuleInit {
  private kv?: KV;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    this.kv = await new Kvm(this.nats.js).create(ATTEMPTS_BUCKET, { history: 1, ttl: STREAMS.DELIVERIES.maxAgeMs });
  }

  async made(deliveryId: string): Promise<number> {
    const entry = await this.bucket().get(keyOf(deliveryId));
    if (!entry || entry.operation !== 'PUT') return 0;
    const count = Number(entry.string());
    return Number.isInteger(count) && count > 0 ? count : 0;
  }

  async record(deliveryId: string, attempts: number): Promise<void> {
    await this.bucket().put(keyOf(deliveryId), String(attempts));
  }

  async forget(deliveryId: string): Promise<void> {
    await this.bucket().purge(keyOf(deliveryId));
  }

  private bucket(): KV {
    if (!this.kv) throw new Error('attempt bucket used before module init');
    return this.kv;
  }
}
