import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { blockedUrlId, isBlockActive, type BlockedUrlRecord } from './blocked-url.schema';
import type { UrlUnblockedEvent } from '@hookline/contracts';
import { BoundedMap, MetricsService, PeriodicTask } from '@hookline/service-kit';
import { DispatcherConfig } from '../config/dispatcher.config';
import { BlocklistRepository } from './blocklist.repository';
import { UnblockNotices } from './unblock-notices';

/** How a receiver answered one attempt, as far as the abuse rules care. */
export interface AnswerQuality {
  latencyMs: number;
  errorKind?: string;
  /** Present when a response (status line) arrived. */
  status?: number;
}

/** Strike counters kept; the oldest are dropped beyond this (they only delay a block). */
const MAX_TRACKED_URLS = 10_000;
/** A re-read still going after this long is abandoned; the last known blocks stay in force. */
const REFRESH_DEADLINE_MS = 30_000;

/** Tenants are subscription ids (see tenantOf in @hookline/auth); the blocklist is stored per subscription. */
export function subscriptionOf(tenant: string): number | null {
  const id = Number(tenant);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * Octane's abuse protection: a URL that keeps answering slowly (near the timeout) or not with valid
 * HTTP is blocked for a cool-off period. Blocks live in MongoDB so every instance honours them and
 * admins can lift them; each instance keeps the active ones in memory, re-read every
 * BLOCKLIST_REFRESH_MS, so checking a job costs no I/O. An admin's unblock reaches every instance
 * at once as a NATS notice. Strikes are counted per instance.
 */
@Injectable()
export class BlocklistService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Blocklist');
  private active = new Map<string, BlockedUrlRecord>();
  private readonly strikes = new BoundedMap<string, number>(MAX_TRACKED_URLS);
  /** Counts unblocks applied here; `lifted` says at which count each id was lifted. */
  private unblocks = 0;
  private readonly lifted = new Map<string, number>();
  private readonly refresher: PeriodicTask;

  constructor(
    @Inject(DispatcherConfig) private readonly config: DispatcherConfig,
    private readonly repository: BlocklistRepository,
    private readonly notices: UnblockNotices,
    metrics: MetricsService,
  ) {
    this.refresher = new PeriodicTask(
      {
        name: 'blocklist-refresh',
        everyMs: config.BLOCKLIST_REFRESH_MS,
        deadlineMs: Math.min(config.BLOCKLIST_REFRESH_MS, REFRESH_DEADLINE_MS),
        job: () => this.refresh(),
      },
      metrics,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.notices.follow((event) => this.lift(event.id));
    // Without the blocks the instance still delivers; the refresher tries again.
    await this.refresh().catch((err: unknown) => this.logger.warn({ err: String(err) }, 'blocklist read failed'));
    this.refresher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.refresher.stop();
  }

  /** The block in force for this tenant's URL, if any. */
  blockOf(tenant: string, url: string): BlockedUrlRecord | null {
    const subscriptionId = subscriptionOf(tenant);
    if (subscriptionId === null) return null;
    const record = this.active.get(blockedUrlId(subscriptionId, url));
    return record && isBlockActive(record) ? record : null;
  }

  /** Ids of the blocks in force now (this instance's view): their parked jobs stay parked. */
  activeIds(): Set<string> {
    const now = new Date();
    return new Set([...this.active.values()].filter((r) => isBlockActive(r, now)).map((r) => r._id));
  }

  /** How many of the tenant's URLs are blocked now (this instance's view). */
  activeCountOf(tenant: string): number {
    const subscriptionId = subscriptionOf(tenant);
    const now = new Date();
    return [...this.active.values()].filter((r) => r.SubscriptionID === subscriptionId && isBlockActive(r, now)).length;
  }

  /** Counts a slow or invalid answer as a strike, a prompt valid one clears them; blocks on the last strike. */
  async observe(
    tenant: string,
    webhookId: string,
    url: string,
    answer: AnswerQuality,
  ): Promise<BlockedUrlRecord | null> {
    const subscriptionId = subscriptionOf(tenant);
    if (subscriptionId === null) return null;
    const id = blockedUrlId(subscriptionId, url);
    const reason = this.strikeReason(answer);
    if (reason === null) {
      // A connection error says nothing about how the receiver answers; a prompt answer clears the record.
      if (answer.status !== undefined) this.strikes.delete(id);
      return null;
    }
    const count = (this.strikes.get(id) ?? 0) + 1;
    this.strikes.delete(id);
    if (count < this.config.BLOCK_STRIKES) {
      this.strikes.set(id, count);
      return null;
    }
    const now = new Date();
    const record = await this.repository.block({
      subscriptionId,
      url,
      webhookId,
      reason: `${count} ${reason} answers in a row`,
      blockedAt: now,
      until: new Date(now.getTime() + this.config.BLOCK_COOLOFF_MS),
    });
    this.active.set(id, record);
    this.lifted.delete(id);
    this.logger.warn({ url, tenant, webhookId, until: record.Until, count: record.Count }, 'URL blocked');
    return record;
  }

  async list(subscriptionId: number, skip: number, limit: number) {
    return this.repository.list(subscriptionId, skip, limit);
  }

  /**
   * Removes the block with this record id and lifts it on every instance before answering: this
   * one at once, the others by the notice (or, should NATS lose it, by their next refresh).
   */
  async unblock(tenant: string, id: string): Promise<boolean> {
    const subscriptionId = subscriptionOf(tenant);
    if (subscriptionId === null || !(await this.repository.remove(subscriptionId, id))) return false;
    this.lift(id);
    const event: UrlUnblockedEvent = { tenant, id, unblockedAt: new Date().toISOString() };
    try {
      await this.notices.announce(event);
    } catch (err) {
      this.logger.warn(
        { id, err: String(err) },
        'URL unblocked, but other instances were not told; they will re-read it',
      );
    }
    return true;
  }

  private lift(id: string): void {
    this.active.delete(id);
    this.strikes.delete(id);
    this.lifted.set(id, ++this.unblocks);
  }

  private strikeReason(answer: AnswerQuality): string | null {
    if (answer.errorKind === 'invalid-http') return 'invalid HTTP';
    if (answer.errorKind === 'timeout') return 'timed-out';
    const slowFrom = (this.config.WEBHOOK_REQUEST_TIMEOUT * this.config.BLOCK_SLOW_PERCENT) / 100;
    return answer.latencyMs >= slowFrom ? 'slow' : null;
  }

  /** Re-reads the blocks in force; on failure the last known ones stay. */
  private async refresh(): Promise<void> {
    const startedAfter = this.unblocks;
    const records = await this.repository.active(new Date());
    // A block lifted while the read was under way may still be in what it returned.
    const stale = (r: BlockedUrlRecord) => (this.lifted.get(r._id) ?? 0) > startedAfter;
    this.active = new Map(records.filter((r) => !stale(r)).map((r) => [r._id, r]));
    for (const [id, at] of this.lifted) if (at <= startedAfter) this.lifted.delete(id);
  }
}
