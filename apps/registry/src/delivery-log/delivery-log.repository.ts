import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { insertNew } from '@hookline/service-kit';
import {
  ATTEMPT_MODEL,
  COUNTED_ATTEMPT_MODEL,
  FAILED_DELIVERY_MODEL,
  attemptOf,
  storedAttempt,
  type AttemptRecord,
  type CountedAttemptRecord,
  type FailedDeliveryRecord,
  type StoredAttempt,
} from './delivery-log.schema';
import type { Page } from '../webhook/webhook.repository';

/** A failed delivery as an outcome reports it; replays are counted by the registry. */
export type NewFailedDelivery = Omit<FailedDeliveryRecord, 'SubscriptionID' | 'ReplayCount' | 'LastReplayAt'>;

/**
 * The delivery log (attempts), failed-delivery records and notes of counted attempts. Every query
 * is scoped by subscription, except the lookups by attempt id, whose ids recordAttempts checked
 * against the subscription.
 */
@Injectable()
export class DeliveryLogRepository {
  constructor(
    @InjectModel(ATTEMPT_MODEL) private readonly attempts: Model<StoredAttempt>,
    @InjectModel(FAILED_DELIVERY_MODEL) private readonly failed: Model<FailedDeliveryRecord>,
    @InjectModel(COUNTED_ATTEMPT_MODEL) private readonly counted: Model<CountedAttemptRecord>,
  ) {}

  /**
   * Stores the attempts not stored yet, in one insert. Returns those this call stored (nobody can
   * have counted them in the stats yet) and those stored earlier under another subscription
   * (holds aside).
   */
  async recordAttempts(records: AttemptRecord[]): Promise<{ created: Set<string>; foreign: Set<string> }> {
    const duplicates = await insertNew(this.attempts, records.map(storedAttempt));
    const created = new Set(records.filter((_, i) => !duplicates.has(i)).map((r) => r._id));
    const foreign = new Set<string>();
    for (const index of duplicates) {
      const record = records[index];
      // A copy of a hold changes nothing (its entry stands; holds are not counted), so whose it is
      // does not matter. Copies are many while an origin is down: each time its held jobs come
      // back once the dispatcher no longer remembers having reported them.
      if (record.Kind === 'held') continue;
      // By the bare `_id`: the one lookup every supported server answers from an index (docs/storage.md).
      const existing = await this.attempts.findOne({ _id: record._id }, { SubscriptionID: 1 }).lean().exec();
      if (existing?.SubscriptionID !== record.SubscriptionID) foreign.add(record._id);
    }
    return { created, foreign };
  }

  /** The attempts among `ids` already counted in their webhook's stats (looked up one by one: see recordAttempts). */
  async countedAmong(ids: string[]): Promise<Set<string>> {
    const found = await Promise.all(ids.map((_id) => this.counted.findOne({ _id }, { _id: 1 }).lean().exec()));
    return new Set(found.filter((f) => f !== null).map((f) => f._id));
  }

  /** Notes that the attempts are counted in their webhook's stats; ones noted already stay as they are. */
  async markCounted(attempts: { subscriptionId: number; ids: string[] }[]): Promise<void> {
    await insertNew(
      this.counted,
      attempts.flatMap(({ subscriptionId, ids }) => ids.map((_id) => ({ _id, SubscriptionID: subscriptionId }))),
    );
  }

  async listAttempts(
    subscriptionId: number,
    webhookId: string,
    skip: number,
    limit: number,
  ): Promise<Page<AttemptRecord>> {
    const where = { SubscriptionID: subscriptionId, WebhookID: webhookId };
    const [items, total] = await Promise.all([
      this.attempts.find(where).sort({ At: -1, _id: -1 }).skip(skip).limit(limit).lean<StoredAttempt[]>().exec(),
      this.attempts.countDocuments(where).exec(),
    ]);
    return { items: items.map(attemptOf), total };
  }

  /**
   * Keeps the last failure of each delivery (a replayed delivery that fails again overwrites its
   * record). All inserted at once first: a delivery's first failure, the common case, then costs
   * no write of its own (one insert per failure had made a receiver's outage cost the database a
   * write command per failed delivery).
   */
  async saveFailed(failures: { subscriptionId: number; record: NewFailedDelivery }[]): Promise<void> {
    const duplicates = await insertNew(
      this.failed,
      failures.map(({ subscriptionId, record }) => ({
        ...record,
        SubscriptionID: subscriptionId,
        ReplayCount: 0,
        LastReplayAt: null,
      })),
    );
    for (const index of duplicates) {
      const {
        subscriptionId,
        record: { _id, ...fields },
      } = failures[index];
      await this.failed.updateOne({ _id, SubscriptionID: subscriptionId }, { $set: fields }).exec();
    }
  }

  async listFailed(
    subscriptionId: number,
    webhookId: string,
    skip: number,
    limit: number,
  ): Promise<Page<FailedDeliveryRecord>> {
    const where = { SubscriptionID: subscriptionId, WebhookID: webhookId };
    const [items, total] = await Promise.all([
      this.failed
        .find(where)
        .sort({ FailedAt: -1, _id: -1 })
        .skip(skip)
        .limit(limit)
        .lean<FailedDeliveryRecord[]>()
        .exec(),
      this.failed.countDocuments(where).exec(),
    ]);
    return { items, total };
  }

  /**
   * The oldest failed deliveries of a webhook never replayed, at most `limit`: those still owed
   * their "one last processing" (BMC seed).
   */
  async neverReplayed(subscriptionId: number, webhookId: string, limit: number): Promise<FailedDeliveryRecord[]> {
    return this.failed
      .find({ SubscriptionID: subscriptionId, WebhookID: webhookId, ReplayCount: 0 })
      .sort({ FailedAt: 1, _id: 1 })
      .limit(limit)
      .lean<FailedDeliveryRecord[]>()
      .exec();
  }

  /**
   * Counts the first replay of a failed delivery that has none yet; null when it has one already
   * (another registry instance, or a user, claimed it first).
   */
  async claimFirstReplay(subscriptionId: number, deliveryId: string, now: Date): Promise<FailedDeliveryRecord | null> {
    return this.failed
      .findOneAndUpdate(
        { _id: deliveryId, SubscriptionID: subscriptionId, ReplayCount: 0 },
        { $inc: { ReplayCount: 1 }, $set: { LastReplayAt: now } },
        { returnDocument: 'after' },
      )
      .lean<FailedDeliveryRecord>()
      .exec();
  }

  /** Counts a replay and returns the record as it is now; null when no such failed delivery. */
  async claimReplay(
    subscriptionId: number,
    webhookId: string,
    deliveryId: string,
    now: Date,
  ): Promise<FailedDeliveryRecord | null> {
    return this.failed
      .findOneAndUpdate(
        { _id: deliveryId, SubscriptionID: subscriptionId, WebhookID: webhookId },
        { $inc: { ReplayCount: 1 }, $set: { LastReplayAt: now } },
        { returnDocument: 'after' },
      )
      .lean<FailedDeliveryRecord>()
      .exec();
  }
}
