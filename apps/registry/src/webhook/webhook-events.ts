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
 *
 * The relay's scan reads the whole webhooks collection on the embedded server (docs/storage.md), so
 * it runs only when something may be left: after a start (a crash before it), after a publish of
 * this instance failed, and every EVENT_OUTBOX_SWEEP_MS for what other instances or writes whose
 * fate is unknown left. An idle registry scans nothing between sweeps.
 */
@Injectable()
export class WebhookEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookEvents');
  private readonly relay: PeriodicTask;
  /** Changes stored before this time may still be pending (null: none that a sweep would not find). */
  private leftBefore: number | null = null;
  private lastSweepAt = 0;

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
        job: () => this.relayIfOwed(),
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
      this.leftPending();
      return false;
    }
    try {
      if (pending.Kind === 'deleted') await this.webhooks.purge(record.SubscriptionID, record._id);
      else await this.webhooks.clearPendingEvent(record.SubscriptionID, record._id, pending.ObjectVersion);
    } catch (err) {
      // Published, but still marked pending: the relay settles it (publishing it again is harmless).
      this.leftPending();
      throw err;
    }
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

  /**
   * A pass when something may be left and the pass's cutoff reaches it (a change left pending just
   * now would not be found yet), or when a sweep is due. What a pass fails to publish, or a full
   * batch, keeps the relay scanning at every interval.
   */
  private async relayIfOwed(): Promise<void> {
    const now = Date.now();
    const owed = this.leftBefore;
    const reached = owed !== null && now - this.config.EVENT_OUTBOX_INTERVAL_MS >= owed;
    if (!reached && now - this.lastSweepAt < this.config.EVENT_OUTBOX_SWEEP_MS) return;
    this.lastSweepAt = now;
    const published = await this.relayPending().catch((err: unknown) => {
      this.logger.warn({ err: String(err) }, 'event relay pass failed');
      return -1;
    });
    if (published < 0 || published === RELAY_BATCH) this.leftPending();
    // Settled unless a publish failed meanwhile (which moved leftBefore on).
    else if (reached && this.leftBefore === owed) this.leftBefore = null;
  }

  private leftPending(): void {
    this.leftBefore = Date.now();
  }

  onApplicationBootstrap(): void {
    // Whatever a previous process left: its first pass runs an interval from now, once the cutoff reaches this moment.
    this.leftPending();
    this.lastSweepAt = Date.now();
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
