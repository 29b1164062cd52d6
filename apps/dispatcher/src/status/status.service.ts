import { Injectable } from '@nestjs/common';
import type { DispatchBreaker, DispatchStatus } from '@hookline/contracts';
import { QueuedDeliveries } from '@hookline/messaging';
import { BlocklistService } from '../blocklist/blocklist.service';
import { OriginBreaker, type OriginSnapshot } from '../breaker/origin-breaker.service';
import { DeliveryService } from '../delivery/delivery.service';
import { originKey, ParkedJobs } from '../parking/parked-jobs.service';

export interface WebhookQueue {
  webhookId: string;
  /** Jobs in DELIVERIES for the webhook across all instances: new, scheduled for a retry, or held for a blocked URL. */
  queued: number;
  /** Jobs parked (all instances) until their origin's circuit breaker lets them through. */
  parked: number;
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
    private readonly origins: OriginBreaker,
    private readonly deliveries: DeliveryService,
    private readonly parked: ParkedJobs,
    private readonly blocklist: BlocklistService,
    private readonly queued: QueuedDeliveries,
  ) {}

  /** The origins' breakers as this instance sees them, with the jobs parked for each (all instances). */
  async breakers(tenant: string): Promise<(OriginSnapshot & { parked: number })[]> {
    const { byOrigin } = await this.parked.countsFor(tenant);
    return this.origins.snapshot(tenant).map((o) => ({ ...o, parked: byOrigin.get(originKey(o.origin)) ?? 0 }));
  }

  /** What holds the tenant's deliveries back: breakers not closed, parked jobs, blocked URLs. */
  async dispatchStatus(tenant: string): Promise<DispatchStatus> {
    const { byOrigin } = await this.parked.countsFor(tenant);
    const openBreakers: DispatchBreaker[] = [];
    for (const o of this.origins.snapshot(tenant)) {
      if (o.state === 'closed') continue;
      openBreakers.push({
        origin: o.origin,
        state: o.state,
        parked: byOrigin.get(originKey(o.origin)) ?? 0,
        nextProbeAt: o.probeAt?.toISOString() ?? null,
      });
    }
    let parkedJobs = 0;
    for (const count of byOrigin.values()) parkedJobs += count;
    return { openBreakers, parkedJobs, blockedUrls: this.blocklist.activeCountOf(tenant) };
  }

  async webhooks(tenant: string): Promise<WebhookQueue[]> {
    const [queued, { byWebhook: parked }] = await Promise.all([
      this.queued.perWebhookToken(tenant),
      this.parked.countsFor(tenant),
    ]);
    const byWebhook = new Map<string, WebhookQueue>();
    const entryOf = (webhookId: string): WebhookQueue => {
      const entry = byWebhook.get(webhookId) ?? { webhookId, queued: 0, parked: 0, inFlight: 0 };
      byWebhook.set(webhookId, entry);
      return entry;
    };
    for (const [token, count] of queued) entryOf(fromSubjectToken(token)).queued = count;
    for (const [token, count] of parked) entryOf(fromSubjectToken(token)).parked = count;
    for (const load of this.deliveries.loadOf(tenant)) entryOf(load.webhookId).inFlight = load.inFlight;
    return [...byWebhook.values()].sort((a, b) => a.webhookId.localeCompare(b.webhookId));
  }
}
