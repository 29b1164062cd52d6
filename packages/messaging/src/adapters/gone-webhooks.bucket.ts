import { Inject, Injectable, Logger } from '@nestjs/common';
import { Kvm, KvWatchInclude, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import { STREAMS } from '@hookline/contracts';
import { NatsClient } from '../nats-client';
import { withinDeadline } from './deadline';

/** The JetStream KV bucket of webhooks whose receiver answered 410 Gone. */
export const GONE_WEBHOOKS_BUCKET = 'dispatcher_gone_webhooks';

/** Opening the bucket is a stream lookup and, the first time, a create: two API calls. */
const OPEN_CALLS = 2;

/**
 * The gone webhooks shared by every dispatcher instance: one key per webhook, kept as long as a
 * queued job can live (after that no job of the webhook can still be waiting).
 */
@Injectable()
export class GoneWebhooksBucket {
  private readonly logger = new Logger('GoneWebhooksBucket');
  private kv?: KV;
  private watcher?: QueuedIterator<KvWatchEntry>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  /** KV keys allow only [-/_=.A-Za-z0-9]; base64url of the pair keeps any tenant or webhook id. */
  static keyOf(tenant: string, webhookId: string): string {
    return Buffer.from(`${tenant}\n${webhookId}`).toString('base64url');
  }

  /**
   * Opens the bucket and reports every later change to `onChange` (`gone` false: the entry was
   * removed or expired); resolves with the keys in the bucket now. Watches first, then lists, so a
   * webhook gone in between is not missed.
   */
  async follow(onChange: (key: string, gone: boolean) => void): Promise<string[]> {
    const deadlineMs = this.nats.requestTimeoutMs;
    const kv = await withinDeadline(
      new Kvm(this.nats.js).create(GONE_WEBHOOKS_BUCKET, { history: 1, ttl: STREAMS.DELIVERIES.maxAgeMs }),
      OPEN_CALLS * deadlineMs,
      'opening the gone-webhooks bucket',
    );
    this.kv = kv;
    const watcher = await withinDeadline(
      kv.watch({ include: KvWatchInclude.UpdatesOnly }),
      deadlineMs,
      'watching the gone-webhooks bucket',
    );
    this.watcher = watcher;
    void (async () => {
      for await (const entry of watcher) onChange(entry.key, entry.operation === 'PUT');
    })().catch((err: unknown) => this.logger.error({ err: String(err) }, 'gone-webhook watch ended'));
    return withinDeadline(
      (async () => {
        const keys: string[] = [];
        for await (const key of await kv.keys()) keys.push(key);
        return keys;
      })(),
      deadlineMs,
      'listing the gone-webhooks bucket',
    );
  }

  /** Records the webhook as gone for every instance; resolves once the bucket has stored it. */
  async markGone(tenant: string, webhookId: string): Promise<void> {
    if (!this.kv) throw new Error('gone-webhooks bucket used before follow()');
    await withinDeadline(
      this.kv.put(GoneWebhooksBucket.keyOf(tenant, webhookId), new Date().toISOString()),
      this.nats.requestTimeoutMs,
      'storing a gone webhook',
    );
  }

  stop(): void {
    this.watcher?.stop();
  }
}
