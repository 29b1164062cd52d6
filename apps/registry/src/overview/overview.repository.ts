import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ATTEMPT_MODEL, type StoredAttempt } from '../delivery-log/delivery-log.schema';
import type { OverviewAttempt } from './overview';

/** Reads the delivery log for the overview; scoped by subscription. */
@Injectable()
export class OverviewRepository {
  constructor(@InjectModel(ATTEMPT_MODEL) private readonly attempts: Model<StoredAttempt>) {}

  /** The newest attempts since `since`, at most `limit`, with only what the figures need. */
  async attemptsSince(subscriptionId: number, since: Date, limit: number): Promise<OverviewAttempt[]> {
    return this.attempts
      .find({ SubscriptionID: subscriptionId, At: { $gte: since } }, { _id: 0, Kind: 1, LatencyMs: 1, At: 1 })
      .sort({ At: -1 })
      .limit(limit)
      .lean<OverviewAttempt[]>()
      .exec();
  }
}
