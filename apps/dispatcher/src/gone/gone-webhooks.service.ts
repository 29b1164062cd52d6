import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Kvm, KvWatchInclude, type KV } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import { STREAMS } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';

/** JetStream KV bucket of webhooks whose receiver answered 410 Gone. */
export const GONE_BUCKET = 'dispatcher_gone_webhooks';

/** KV keys allow only [-/_=.A-Za-z0-9]; base64url of the pair keeps any tenant or webhook id. */
const keyOf = (tenant: string, webhookId: string): string =>
  Buffer.from(`${tenant}\n${webhookId}`).toString('base64url');

/**
 * Webhooks that answered 410 Gone (Rally: deleted, never fires again). The registry deletes the
 * webhook, but jobs already queued would still go out; every instance drops them. Shared through
 * a JetStream KV bucket that each instance watches into memory, so the check on each job costs no I/O.
 */
@Injectable()
export class GoneWebhooks implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('GoneWebhooks');
  private readonly gone = new Set<string>();
  private kv?: KV;
  private watcher?: QueuedIterator<unknown>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    // Kept as long as a queued job can live; after that no job of the webhook can still be waiting.
    this.kv = await new Kvm(this.nats.js).create(GONE_BUCKET, { history: 1, ttl: STREAMS.DELIVERIES.maxAgeMs });
    // Watch first, then list, so a webhook gone in between is not missed.
    const watcher = await this.kv.watch({ include: KvWatchInclude.UpdatesOnly });
    this.watcher = watcher;
    void (async () => {
      for await (const entry of watcher) {
        if (entry.operation === 'PUT') this.gone.add(entry.key);
        else this.gone.delete(entry.key);
      }
    })().catch((err: unknown) => this.logger.error({ err: String(err) }, 'gone-webhook watch ended'));
    for await (const key of await this.kv.keys()) this.gone.add(key);
  }

  onApplicationShutdown(): void {
    this.watcher?.stop();
  }

  has(tenant: string, webhookId: string): boolean {
    return this.gone.has(keyOf(tenant, webhookId));
  }

  async markGone(tenant: string, webhookId: string): Promise<void> {
    const key = keyOf(tenant, webhookId);
    this.gone.add(key);
    await this.kv!.put(key, new Date().toISOString());
  }
}
