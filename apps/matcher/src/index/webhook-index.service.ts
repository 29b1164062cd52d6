import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  DEFAULT_CLIENT_AUTH_METHOD,
  WebhookEvent,
  type ClientAuthMethod,
  type DeliveryAuthentication,
  type DeliverySpec,
  type SignInFlow,
  type TokenScheme,
  type WebhookSecrets,
  type WebhookView,
} from '@hookline/contracts';
import { InvalidWebhookError, WebhookIndex, type WebhookDefinition, type WebhookRule } from '@hookline/matching';
import { WebhookEventsFeed, type WebhookFeedMessage } from '@hookline/messaging';
import { ReadinessRegistry } from '@hookline/service-kit';

/** What the matcher keeps of one webhook: its matching definition and what a delivery job needs. */
export interface IndexedWebhook {
  def: WebhookDefinition;
  rule: WebhookRule;
  spec: DeliverySpec;
  objectVersion: number;
}

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
      this.apply(msg.json<WebhookEvent>());
    } catch (err) {
      // A definition the engine cannot compile must not stop the index: the old version stays.
      this.logger.error({ seq: msg.seq, err: String(err) }, 'webhook event not applied');
    }
    if (!this.isLoaded && msg.caughtUp) this.markLoaded();
  }

  private markLoaded(): void {
    this.isLoaded = true;
    this.loadedResolve();
    this.logger.log(`index loaded: ${this.index.size()} enabled webhooks`);
  }

  apply(event: WebhookEvent): void {
    const tenantWebhooks = this.webhooks.get(event.tenant) ?? new Map<string, IndexedWebhook>();
    const current = tenantWebhooks.get(event.webhookId);
    if (current && current.objectVersion >= event.objectVersion) return;
    if (event.kind === 'deleted' || !event.webhook || !event.secrets) {
      this.index.remove(event.tenant, event.webhookId);
      tenantWebhooks.delete(event.webhookId);
    } else {
      const entry = toIndexed(event, event.webhook);
      try {
        this.index.upsert(entry.def);
      } catch (err) {
        if (err instanceof InvalidWebhookError)
          throw new Error(`webhook ${event.webhookId}: ${err.message}`, { cause: err });
        throw err;
      }
      tenantWebhooks.set(event.webhookId, entry);
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

function toIndexed(event: WebhookEvent, webhook: WebhookView): IndexedWebhook {
  const secrets = event.secrets!;
  return {
    objectVersion: event.objectVersion,
    def: {
      id: event.webhookId,
      tenant: event.tenant,
      ObjectTypes: webhook.ObjectTypes,
      Events: webhook.Events,
      Triggers: webhook.Triggers,
      Expressions: webhook.Expressions,
      Condition: webhook.Condition,
      Disabled: webhook.Disabled,
      // The registry stores "no Fields" as an empty list; the engine reads that as "basic fields only".
      Fields: webhook.Fields.length > 0 ? webhook.Fields : undefined,
      IncludeAllFields: webhook.IncludeAllFields,
      PayloadFormat: webhook.PayloadFormat,
      Dialect: webhook.Dialect ?? undefined,
    },
    rule: webhook,
    spec: {
      TargetUrl: webhook.TargetUrl,
      CommunicationMethod: webhook.CommunicationMethod,
      SharedSpace: webhook.SharedSpace,
      Security: webhook.Security,
      Headers: secrets.Headers,
      Authentication: deliveryAuthentication(webhook.Authentication, event.secrets!.Authentication),
      SigningSecret: secrets.SigningSecret,
      RetryPolicy: webhook.RetryPolicy,
    },
  };
}

/**
 * The webhook's authentication as jobs carry it: the view's fields with the sealed secret from the
 * event. A view and secret that do not fit together deliver without authentication rather than
 * with half of it; the registry never publishes such a pair.
 */
function deliveryAuthentication(
  auth: WebhookView['Authentication'],
  secret: WebhookSecrets['Authentication'],
): DeliveryAuthentication | null {
  if (auth === null || secret === null) return null;
  if ((auth.Type === 'Basic' || auth.Type === 'SignIn') && 'Password' in secret) {
    if (auth.Type === 'Basic') return { Type: 'Basic', Username: auth.Username ?? '', Password: secret.Password };
    return {
      Type: 'SignIn',
      Flow: auth.Flow as SignInFlow,
      SignInUrl: auth.SignInUrl ?? '',
      Username: auth.Username ?? '',
      Password: secret.Password,
    };
  }
  if (auth.Type === 'OAuth2ClientCredentials' && 'ClientSecret' in secret)
    return {
      Type: 'OAuth2ClientCredentials',
      TokenUrl: auth.TokenUrl ?? '',
      ClientId: auth.ClientId ?? '',
      ClientSecret: secret.ClientSecret,
      Scope: auth.Scope ?? null,
      // Events published before ClientAuthMethod existed leave it out: those webhooks use Basic.
      ClientAuthMethod: (auth.ClientAuthMethod as ClientAuthMethod | undefined) ?? DEFAULT_CLIENT_AUTH_METHOD,
    };
  if (auth.Type === 'Token' && 'Token' in secret)
    return { Type: 'Token', Scheme: auth.Scheme as TokenScheme, Token: secret.Token };
  return null;
}
