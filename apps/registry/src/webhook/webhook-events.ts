import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { tenantOf } from '@hookline/auth';
import { SUBJECTS, type WebhookEvent } from '@hookline/contracts';
import { JetStreamPublisher } from '@hookline/messaging';
import { MetricsService, PeriodicTask } from '@hookline/service-kit';
import { RegistryConfig } from '../config/registry.config';
import { deliverySpecOf } from './delivery-spec';
import { toResponse } from './dto/webhook-response.dto';
import { WebhookRepository } from './webhook.repository';
import type { WebhookRecord } from './webhook.schema';

const RELAY_BATCH = 100;
/** A relay pass still going after this long is reported; each publish in it has its own deadline. */
const RELAY_DEADLINE_MS = 60_000;

/** The WEBHOOKS event for a stored webhook's pending change. */
export function webhookEventOf(record: WebhookRecord, refBase: string): WebhookEvent {
  const pending = record.PendingEvent;
  if (!pending) throw new Error(`webhook ${record._id} has no pending event`);
  const tenant = tenantOf({ subscriptionId: record.SubscriptionID });
  if (pending.Kind === 'deleted')
    return { kind: 'deleted', tenant, webhookId: record._id, objectVersion: pending.ObjectVersion };
  return {
    kind: pending.Kind,
    tenant,
    webhookId: record._id,
    objectVersion: pending.ObjectVersion,
    webhook: { ...toResponse(record, refBase) },
    spec: deliverySpecOf(record),
  };
}

/**
 * The webhook collection's URL in the `_ref` events carry (and so payloads' `rule`): the path the
 * creating request used (Rally's `/apps/pigeon/api/v2` or `/api/v2`), under PUBLIC_BASE_URL when
 * set, else as the request reached the registry. Webhooks stored before that was kept have the
 * relative path they always had.
 */
export function eventRefBase(record: Pick<WebhookRecord, 'RefBase'>, publicBaseUrl: string | undefined): string {
  const path = record.RefBase ? new URL(record.RefBase, 'http://localhost').pathname : '/api/v2/webhook';
  if (publicBaseUrl !== undefined) return `${publicBaseUrl.replace(/\/+$/, '')}${path}`;
  return record.RefBase ?? path;
}

/**
 * Publishes every webhook change on WEBHOOKS. The change and its pending event are written in one
 * document update (a transactional outbox without multi-document transactions); the request
 * publishes at once, and a relay publishes whatever a crash or a NATS outage left pending.
 * `Nats-Msg-Id` = `<id>:<version>` makes a repeated publish harmless.
 */
@Injectable()
export class WebhookEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookEvents');
  private readonly relay: PeriodicTask;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly publisher: JetStreamPublisher,
    private readonly config: RegistryConfig,
    metrics: MetricsService,
  ) {
    this.relay = new PeriodicTask(
      {
        name: 'webhook-event-relay',
        everyMs: config.EVENT_OUTBOX_INTERVAL_MS,
        deadlineMs: RELAY_DEADLINE_MS,
        job: () => this.relayPending(),
      },
      metrics,
    );
  }

  /** Publishes the record's pending event and settles it; on failure leaves it to the relay. */
  async publish(record: WebhookRecord): Promise<boolean> {
    const pending = record.PendingEvent;
    if (!pending) return true;
    const event = webhookEventOf(record, eventRefBase(record, this.config.PUBLIC_BASE_URL));
    try {
      await this.publisher.publish(SUBJECTS.webhookEvent(event.tenant, event.webhookId), event, {
        msgId: `${record._id}:${pending.ObjectVersion}`,
      });
    } catch (err) {
      this.logger.warn(
        { webhookId: record._id, err: String(err) },
        'webhook event not published yet; the relay will retry',
      );
      return false;
    }
    if (pending.Kind === 'deleted') await this.webhooks.purge(record.SubscriptionID, record._id);
    else await this.webhooks.clearPendingEvent(record.SubscriptionID, record._id, pending.ObjectVersion);
    return true;
  }

  /** One relay pass over changes left pending for longer than an interval. */
  async relayPending(): Promise<number> {
    const cutoff = new Date(Date.now() - this.config.EVENT_OUTBOX_INTERVAL_MS);
    const pending = await this.webhooks.pendingEventsOfAllSubscriptions(cutoff, RELAY_BATCH);
    let published = 0;
    for (const record of pending) if (await this.publish(record)) published++;
    return published;
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
