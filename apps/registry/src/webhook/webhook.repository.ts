import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { QueryFilter, Model, SortOrder, UpdateQuery } from 'mongoose';
import type { WebhookEventName } from './webhook.rules';
import { WEBHOOK_MODEL, type PendingEvent, type WebhookRecord } from './webhook.schema';

export interface WebhookFilter {
  names?: string[];
  disabled?: boolean;
  events?: WebhookEventName[];
  objectType?: string;
}

export type SortSpec = [field: string, direction: 1 | -1][];

export interface Page<T> {
  items: T[];
  total: number;
}

/** One attempt as the webhook's read-only stats see it. */
export interface StatsAttempt {
  success: boolean;
  status: number | null;
  latencyMs: number;
  at: Date;
}

/** What a batch of attempts of one webhook changes in its stats. */
export interface StatsBatch {
  fired: number;
  failed: number;
  /** Failures after the batch's last success, which resets ErrorCount; null when none succeeded. */
  errorsSinceSuccess: number | null;
  lastSuccess: Date | null;
  lastFailure: Date | null;
  newest: StatsAttempt;
}

/** A webhook's fields that counting its stats reads. */
export type StatsState = Pick<
  WebhookRecord,
  '_id' | 'SubscriptionID' | 'LastAttemptAt' | 'StatsPendingBatch' | 'StatsPendingAttempts'
>;

/** All MongoDB access to webhooks. Every method takes the subscription, so no query can forget it. */
@Injectable()
export class WebhookRepository {
  constructor(@InjectModel(WEBHOOK_MODEL) private readonly model: Model<WebhookRecord>) {}

  async insert(subscriptionId: number, record: Omit<WebhookRecord, 'SubscriptionID'>): Promise<WebhookRecord> {
    const created = await this.model.create({ ...record, SubscriptionID: subscriptionId });
    return created.toObject<WebhookRecord>();
  }

  async findById(subscriptionId: number, id: string): Promise<WebhookRecord | null> {
    return this.model
      .findOne(this.live(subscriptionId, { _id: id }))
      .lean<WebhookRecord>()
      .exec();
  }

  async query(
    subscriptionId: number,
    filter: WebhookFilter,
    sort: SortSpec,
    skip: number,
    limit: number,
  ): Promise<Page<WebhookRecord>> {
    const conditions: QueryFilter<WebhookRecord> = {};
    if (filter.names) conditions.Name = { $in: filter.names };
    if (filter.disabled !== undefined) conditions.Disabled = filter.disabled;
    if (filter.events) conditions.Events = { $in: filter.events };
    if (filter.objectType) conditions.ObjectTypes = filter.objectType;
    const where = this.live(subscriptionId, conditions);
    // _id last makes the order total, so pages neither repeat nor skip webhooks with equal keys.
    const order: [string, SortOrder][] = [...sort, ['_id', 1]];
    const [items, total] = await Promise.all([
      this.model.find(where).sort(order).skip(skip).limit(limit).lean<WebhookRecord[]>().exec(),
      this.model.countDocuments(where).exec(),
    ]);
    return { items, total };
  }

  /**
   * Applies `set` if the webhook is still at `expectedVersion`, bumping the version and recording
   * the pending event in the same single-document write. Null when it changed or vanished meanwhile.
   */
  async updateVersioned(
    subscriptionId: number,
    id: string,
    expectedVersion: number,
    set: Partial<WebhookRecord>,
    now: Date,
  ): Promise<WebhookRecord | null> {
    const ObjectVersion = expectedVersion + 1;
    const PendingEvent: PendingEvent = { Kind: 'updated', ObjectVersion };
    return this.model
      .findOneAndUpdate(
        this.live(subscriptionId, { _id: id, ObjectVersion: expectedVersion }),
        { $set: { ...set, ObjectVersion, LastUpdateDate: now, PendingEvent } },
        { returnDocument: 'after' },
      )
      .lean<WebhookRecord>()
      .exec();
  }

  /** First step of a deletion: hidden from readers at once, purged once the `deleted` event is out. */
  async markDeleted(subscriptionId: number, id: string, now: Date): Promise<WebhookRecord | null> {
    const current = await this.findById(subscriptionId, id);
    if (!current) return null;
    const ObjectVersion = current.ObjectVersion + 1;
    const PendingEvent: PendingEvent = { Kind: 'deleted', ObjectVersion };
    return this.model
      .findOneAndUpdate(
        this.live(subscriptionId, { _id: id }),
        { $set: { DeletedAt: now, ObjectVersion, LastUpdateDate: now, PendingEvent } },
        { returnDocument: 'after' },
      )
      .lean<WebhookRecord>()
      .exec();
  }

  async purge(subscriptionId: number, id: string): Promise<void> {
    await this.model.deleteOne({ _id: id, SubscriptionID: subscriptionId, DeletedAt: { $ne: null } }).exec();
  }

  /** The event for this version is published; a later change keeps its own pending event. */
  async clearPendingEvent(subscriptionId: number, id: string, objectVersion: number): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, SubscriptionID: subscriptionId, 'PendingEvent.ObjectVersion': objectVersion },
        { $set: { PendingEvent: null } },
      )
      .exec();
  }

  /**
   * Changes whose event may not have been published (the process stopped between the write and
   * the publish), across all subscriptions: the outbox relay is a system job, not a tenant's request.
   */
  async pendingEventsOfAllSubscriptions(lastUpdatedBefore: Date, limit: number): Promise<WebhookRecord[]> {
    return this.model
      .find({ PendingEvent: { $ne: null }, LastUpdateDate: { $lt: lastUpdatedBefore } })
      .limit(limit)
      .lean<WebhookRecord[]>()
      .exec();
  }

  /** The live webhooks among `ids`, with what counting their stats needs to know. */
  async statsStates(ids: string[]): Promise<StatsState[]> {
    return this.model
      .find(
        { _id: { $in: ids }, DeletedAt: null },
        { SubscriptionID: 1, LastAttemptAt: 1, StatsPendingBatch: 1, StatsPendingAttempts: 1 },
      )
      .lean<StatsState[]>()
      .exec();
  }

  /**
   * Counts attempts in the read-only stats and notes them as the webhook's pending count
   * (`batch`), in one atomic update; does not bump the version (the definition did not change).
   * Refused (`busy`) while another count is pending: that one is settled first (see
   * OutcomeService). Outcomes may come out of order: only an attempt newer than the one the
   * stats describe writes the Last* fields.
   */
  async applyStats(
    subscriptionId: number,
    id: string,
    batch: string,
    attemptIds: string[],
    update: StatsBatch,
  ): Promise<'applied' | 'busy' | 'gone'> {
    const where = this.live(subscriptionId, { _id: id, StatsPendingBatch: null });
    const latest = {
      ...(update.lastSuccess && { LastSuccess: update.lastSuccess }),
      ...(update.lastFailure && { LastFailure: update.lastFailure }),
    };
    const counters: UpdateQuery<WebhookRecord> = {
      $inc: { FireCount: update.fired, ...(update.errorsSinceSuccess === null && { ErrorCount: update.failed }) },
      $set: {
        StatsPendingBatch: batch,
        StatsPendingAttempts: attemptIds,
        ...(update.errorsSinceSuccess !== null && { ErrorCount: update.errorsSinceSuccess }),
      },
      ...(Object.keys(latest).length > 0 && { $max: latest }),
    };
    const { newest } = update;
    const withNewest = await this.model
      .updateOne(
        { ...where, $or: [{ LastAttemptAt: null }, { LastAttemptAt: { $lte: newest.at } }] },
        {
          ...counters,
          $set: {
            ...counters.$set,
            LastAttemptAt: newest.at,
            LastStatus: newest.status,
            LastWebhookResponseTime: newest.latencyMs,
          },
        },
      )
      .exec();
    if (withNewest.matchedCount > 0) return 'applied';
    const older = await this.model.updateOne(where, counters).exec();
    if (older.matchedCount > 0) return 'applied';
    const [state] = await this.statsStates([id]);
    return state?.SubscriptionID === subscriptionId ? 'busy' : 'gone';
  }

  /** Ends the pending count once its attempts are noted as counted. */
  async clearPendingStats(subscriptionId: number, id: string, batch: string): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, SubscriptionID: subscriptionId, StatsPendingBatch: batch },
        { $set: { StatsPendingBatch: null, StatsPendingAttempts: [] } },
      )
      .exec();
  }

  private live(subscriptionId: number, conditions: QueryFilter<WebhookRecord>): QueryFilter<WebhookRecord> {
    return { ...conditions, SubscriptionID: subscriptionId, DeletedAt: null };
  }
}
