import { Inject, Injectable } from '@nestjs/common';
import { STREAMS, SUBJECTS } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { OriginGuard, type OriginSnapshot } from '../breaker/origin-guard.service';
import { DeliveryService } from '../delivery/delivery.service';

export interface WebhookQueue {
  webhookId: string;
  /** Jobs in DELIVERIES for the webhook across all instances: new, scheduled for a retry, or held. */
  queued: number;
  /** Jobs this instance is working on right now. */
  inFlight: number;
}

/** Undoes `subjectToken`: it escapes `%` too, so every `%xx` is an escape. */
const fromSubjectToken = (token: string): string =>
  token.replace(/%([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** What the dispatcher is doing, per origin and per webhook, for one tenant. */
@Injectable()
export class StatusService {
  constructor(
    private readonly origins: OriginGuard,
    private readonly deliveries: DeliveryService,
    @Inject(NatsClient) private readonly nats: NatsClient,
  ) {}

  breakers(tenant: string): OriginSnapshot[] {
    return this.origins.snapshot(tenant);
  }

  async webhooks(tenant: string): Promise<WebhookQueue[]> {
    const prefix = SUBJECTS.delivery(tenant, '');
    const filter = `${prefix.slice(0, prefix.lastIndexOf('.'))}.*`;
    const info = await this.nats.jsm.streams.info(STREAMS.DELIVERIES.name, { subjects_filter: filter });
    const byWebhook = new Map<string, WebhookQueue>();
    for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
      const webhookId = fromSubjectToken(subject.slice(subject.lastIndexOf('.') + 1));
      byWebhook.set(webhookId, { webhookId, queued: count, inFlight: 0 });
    }
    for (const load of this.deliveries.loadOf(tenant)) {
      const entry = byWebhook.get(load.webhookId) ?? { webhookId: load.webhookId, queued: 0, inFlight: 0 };
      entry.inFlight = load.inFlight;
      byWebhook.set(load.webhookId, entry);
    }
    return [...byWebhook.values()].sort((a, b) => a.webhookId.localeCompare(b.webhookId));
  }
}
