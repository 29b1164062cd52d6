import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { QueryFilter, Model, SortOrder } from 'mongoose';
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

/** What an outcome changes in a webhook's read-only stats. */
export interface StatsUpdate {
  success: boolean;
  status: number | null;
  latencyMs: number;
  at: Date;
}

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

  /**
   * Counts one attempt in the read-only stats and records it as the webhook's pending count, in one
   * atomic update; does not bump the version (the definition did not change). Refused (`busy`)
   * while another count is pending: that one is settled first (see OutcomeService). Outcomes may be
   * handled out of order: only the newest attempt writes the Last* fields.
   */
  async applyStats(
    subscriptionId: number,
    id: string,
    attemptId: string,
    update: StatsUpdate,
  ): Promise<'applied' | 'busy' | 'gone'> {
    const where = this.live(subscriptionId, { _id: id, StatsPendingAttempt: null });
    const counters = update.success
      ? { $inc: { FireCount: 1 }, $set: { ErrorCount: 0 }, $max: { LastSuccess: update.at } }
      : { $inc: { FireCount: 1, ErrorCount: 1 }, $max: { LastFailure: update.at } };
    const pending = { StatsPendingAttempt: attemptId };
    const newest = await this.model
      .updateOne(
        { ...where, $or: [{ LastAttemptAt: null }, { LastAttemptAt: { $lte: update.at } }] },
        {
          ...counters,
          $set: {
            ...counters.$set,
            ...pending,
            LastAttemptAt: update.at,
            LastStatus: update.status,
            LastWebhookResponseTime: update.latencyMs,
          },
        },
      )
      .exec();
    if (newest.matchedCount > 0) return 'applied';
    const older = await this.model.updateOne(where, { ...counters, $set: { ...counters.$set, ...pending } }).exec();
    if (older.matchedCount > 0) return 'applied';
    return (await this.pendingStats(subscriptionId, id)) === undefined ? 'gone' : 'busy';
  }

  /** The webhook's pending count (null when none); undefined when the webhook is deleted or unknown. */
  async pendingStats(subscriptionId: number, id: string): Promise<string | null | undefined> {
    const record = await this.model
      .findOne(this.live(subscriptionId, { _id: id }), { StatsPendingAttempt: 1 })
      .lean<Pick<WebhookRecord, 'StatsPendingAttempt'>>()
      .exec();
    return record ? (record.StatsPendingAttempt ?? null) : undefined;
  }

  /** Ends the pending count once its delivery-log entry says it was counted. */
  async clearPendingStats(subscriptionId: number, id: string, attemptId: string): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, SubscriptionID: subscriptionId, StatsPendingAttempt: attemptId },
        { $set: { StatsPendingAttempt: null } },
      )
      .exec();
  }

  private live(subscriptionId: number, conditions: QueryFilter<WebhookRecord>): QueryFilter<WebhookRecord> {
    return { ...conditions, SubscriptionID: subscriptionId, DeletedAt: null };
  }
}
