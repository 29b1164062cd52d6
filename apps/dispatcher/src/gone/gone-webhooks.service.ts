import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GoneWebhooksBucket } from '@hookline/messaging';

/**
 * Webhooks that answered 410 Gone (Rally: deleted, never fires again). The registry deletes the
 * webhook, but jobs already queued would still go out; every instance drops them. Shared through
 * a JetStream KV bucket that each instance follows into memory, so the check on each job costs no I/O.
 */
@Injectable()
export class GoneWebhooks implements OnModuleInit, OnApplicationShutdown {
  private readonly gone = new Set<string>();

  constructor(private readonly bucket: GoneWebhooksBucket) {}

  async onModuleInit(): Promise<void> {
    const now = await this.bucket.follow((key, gone) => (gone ? this.gone.add(key) : this.gone.delete(key)));
    for (const key of now) this.gone.add(key);
  }

  onApplicationShutdown(): void {
    this.bucket.stop();
  }

  has(tenant: string, webhookId: string): boolean {
    return this.gone.has(GoneWebhooksBucket.keyOf(tenant, webhookId));
  }

  async markGone(tenant: string, webhookId: string): Promise<void> {
    this.gone.add(GoneWebhooksBucket.keyOf(tenant, webhookId));
    await this.bucket.markGone(tenant, webhookId);
  }
}
