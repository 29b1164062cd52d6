import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import {
  ATTEMPT_MODEL,
  FAILED_DELIVERY_MODEL,
  type AttemptRecord,
  type FailedDeliveryRecord,
} from './delivery-log.schema';
import type { Page } from './webhook.repository';
import { isDuplicateKeyError } from '@hookline/service-kit';

/** The delivery log (attempts) and failed-delivery records. Every method takes the subscription. */
@Injectable()
export class DeliveryLogRepository {
  constructor(
    @InjectModel(ATTEMPT_MODEL) private readonly attempts: Model<AttemptRecord>,
    @InjectModel(FAILED_DELIVERY_MODEL) private readonly failed: Model<FailedDeliveryRecord>,
  ) {}

  /**
   * Stores the attempt unless it is there already; returns the stored row either way, and whether
   * this call stored it (then nobody can have counted it in the stats yet).
   */
  async recordAttempt(
    subscriptionId: number,
    attempt: Omit<AttemptRecord, 'SubscriptionID' | 'StatsApplied'>,
  ): Promise<{ record: AttemptRecord; created: boolean }> {
    try {
      const created = await this.attempts.create({ ...attempt, SubscriptionID: subscriptionId, StatsApplied: false });
      return { record: created.toObject<AttemptRecord>(), created: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // By `_id` alone, the subscription checked here: see statsApplied.
      const existing = await this.attempts.findOne({ _id: attempt._id }).lean<AttemptRecord>().exec();
      if (!existing || existing.SubscriptionID !== subscriptionId) throw err;
      return { record: existing, created: false };
    }
  }

  /**
   * True once the attempt is counted in its webhook's stats. `attemptId` must come from
   * recordAttempt for this subscription, which is why the filter can be the `_id` alone: FerretDB
   * 1.x finds a document by its key only for a bare `_id` filter and scans the whole delivery log
   * for any other, which made every outcome slower as the log grew.
   */
  async statsApplied(_subscriptionId: number, attemptId: string): Promise<boolean> {
    const record = await this.attempts
      .findOne({ _id: attemptId }, { StatsApplied: 1 })
      .lean<Pick<AttemptRecord, 'StatsApplied'>>()
      .exec();
    return record?.StatsApplied === true;
  }

  /** Notes that the attempt is counted in its webhook's stats (by `_id` alone: see statsApplied). */
  async markStatsApplied(_subscriptionId: number, attemptId: string): Promise<void> {
    await this.attempts.updateOne({ _id: attemptId }, { $set: { StatsApplied: true } }).exec();
  }

  async listAttempts(
    subscriptionId: number,
    webhookId: string,
    skip: number,
    limit: number,
  ): Promise<Page<AttemptRecord>> {
    const where = { SubscriptionID: subscriptionId, WebhookID: webhookId };
    const [items, total] = await Promise.all([
      this.attempts.find(where).sort({ At: -1, _id: -1 }).skip(skip).limit(limit).lean<AttemptRecord[]>().exec(),
      this.attempts.countDocuments(where).exec(),
    ]);
    return { items, total };
  }

  /** Keeps the last failure of a delivery (a replayed delivery that fails again overwrites its record). */
  async saveFailed(
    subscriptionId: number,
    record: Omit<FailedDeliveryRecord, 'SubscriptionID' | 'ReplayCount' | 'LastReplayAt'>,
  ): Promise<void> {
    const { _id, ...fields } = record;
    await this.failed
      .updateOne(
        { _id, SubscriptionID: subscriptionId },
        { $set: fields, $setOnInsert: { ReplayCount: 0, LastReplayAt: null } },
        { upsert: true },
      )
      .exec();
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
