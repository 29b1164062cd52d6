import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { BLOCKED_URL_MODEL, blockedUrlId, type BlockedUrlRecord } from '@hookline/blocklist';
import type { Model } from 'mongoose';

export interface NewBlock {
  subscriptionId: number;
  url: string;
  webhookId: string;
  reason: string;
  blockedAt: Date;
  until: Date;
}

/** Access to the shared `blocked_urls` collection. */
@Injectable()
export class BlocklistRepository {
  constructor(@InjectModel(BLOCKED_URL_MODEL) private readonly model: Model<BlockedUrlRecord>) {}

  /** Blocks of every subscription still in force at `now`: the set each instance checks jobs against. */
  async active(now: Date): Promise<BlockedUrlRecord[]> {
    return this.model
      .find({ $or: [{ Until: null }, { Until: { $gt: now } }] })
      .lean<BlockedUrlRecord[]>()
      .exec();
  }

  async list(subscriptionId: number): Promise<BlockedUrlRecord[]> {
    return this.model
      .find({ SubscriptionID: subscriptionId })
      .sort({ BlockedAt: -1, _id: 1 })
      .lean<BlockedUrlRecord[]>()
      .exec();
  }

  /** Starts (or renews) a block and counts it; one record per subscription and URL. */
  async block(block: NewBlock): Promise<BlockedUrlRecord> {
    const record = await this.model
      .findOneAndUpdate(
        { _id: blockedUrlId(block.subscriptionId, block.url) },
        {
          $set: {
            SubscriptionID: block.subscriptionId,
            Url: block.url,
            WebhookID: block.webhookId,
            Reason: block.reason,
            BlockedAt: block.blockedAt,
            Until: block.until,
          },
          $inc: { Count: 1 },
        },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<BlockedUrlRecord>()
      .exec();
    if (!record) throw new Error('upsert of a blocked URL returned nothing');
    return record;
  }

  async remove(subscriptionId: number, url: string): Promise<boolean> {
    const result = await this.model
      .deleteOne({ _id: blockedUrlId(subscriptionId, url), SubscriptionID: subscriptionId })
      .exec();
    return result.deletedCount > 0;
  }
}
