import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InvalidWebhookError, WebhookIndex } from '@hookline/matching';
import { WebhookEventsFeed, type WebhookFeedMessage } from '@hookline/messaging';
import { ReadinessRegistry } from '@hookline/service-kit';
import { indexChangeOf, type IndexedWebhook } from './indexed-webhook';

/**
 * The in-memory index of all webhooks. Built at start by reading the WEBHOOKS stream (one
 * message per webhook, its newest version) from the beginning, then kept live from the same
 * ordered consumer, so no change message ever needs a database read.
 */
@Injectable()
export class WebhookIndexService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookIndex');
  readonly index = new WebhookIndex();
  private readonly webhooks = new Map<string, Map<string, IndexedWebhook>>();
  private lastSequence = 0;
  private loadedResolve!: () => void;
  /** Resolves once the stream has been read up to where it stood at start. */
  readonly loaded = new Promise<void>((resolve) => (this.loadedResolve = resolve));
  private isLoaded = false;

  constructor(
    private readonly feed: WebhookEventsFeed,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('webhook-index', () =>
      Promise.resolve(this.isLoaded ? { ok: true } : { ok: false, detail: 'loading webhooks' }),
    );
    const { emptyAtStart } = await this.feed.follow((msg) => this.onFeed(msg));
    if (emptyAtStart && !this.isLoaded) this.markLoaded();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.feed.close();
  }

  private onFeed(msg: WebhookFeedMessage): void {
    this.lastSequence = msg.seq;
    try {
      this.apply(msg.json<unknown>());
    } catch (err) {
      // A malformed event, or a definition the engine cannot compile, must not stop the index:
      // the version it has stays.
      this.logger.error({ seq: msg.seq, err: String(err) }, 'webhook event not applied');
    }
    if (!this.isLoaded && msg.caughtUp) this.markLoaded();
  }

  private markLoaded(): void {
    this.isLoaded = true;
    this.loadedResolve();
    this.logger.log(`index loaded: ${this.index.size()} enabled webhooks`);
  }

  /** Applies one WEBHOOKS event as read from the stream; throws, changing nothing, on one it cannot take. */
  apply(raw: unknown): void {
    const change = indexChangeOf(raw);
    const { event } = change;
    const tenantWebhooks = this.webhooks.get(event.tenant) ?? new Map<string, IndexedWebhook>();
    const current = tenantWebhooks.get(event.webhookId);
    if (current && current.objectVersion >= event.objectVersion) return;
    if (change.remove) {
      this.index.remove(event.tenant, event.webhookId);
      tenantWebhooks.delete(event.webhookId);
    } else {
      try {
        this.index.upsert(change.entry.def);
      } catch (err) {
        if (err instanceof InvalidWebhookError)
          throw new Error(`webhook ${event.webhookId}: ${err.message}`, { cause: err });
        throw err;
      }
      tenantWebhooks.set(event.webhookId, change.entry);
    }
    if (tenantWebhooks.size > 0) this.webhooks.set(event.tenant, tenantWebhooks);
    else this.webhooks.delete(event.tenant);
  }

  get(tenant: string, webhookId: string): IndexedWebhook | undefined {
    return this.webhooks.get(tenant)?.get(webhookId);
  }

  /** Every webhook of a tenant, enabled or not (dry runs explain disabled ones too). */
  all(tenant: string): IndexedWebhook[] {
    return [...(this.webhooks.get(tenant)?.values() ?? [])];
  }

  async status(): Promise<{
    loaded: boolean;
    total: number;
    tenants: Record<string, { webhooks: number; enabled: number }>;
    lag: number;
  }> {
    const lastSequence = await this.feed.lastSequence();
    const tenants = Object.fromEntries(
      [...this.webhooks].map(([tenant, hooks]) => [tenant, { webhooks: hooks.size, enabled: this.index.size(tenant) }]),
    );
    return {
      loaded: this.isLoaded,
      total: this.index.size(),
      tenants,
      lag: Math.max(0, lastSequence - this.lastSequence),
    };
  }
}
