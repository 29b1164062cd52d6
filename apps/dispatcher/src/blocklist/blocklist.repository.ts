import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { BLOCKED_URL_MODEL, blockedUrlId, type BlockedUrlRecord } from './blocked-url.schema';
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

  /** One page of the subscription's blocked URLs, newest block first, and how many there are. */
  async list(
    subscriptionId: number,
    skip: number,
    limit: number,
  ): Promise<{ items: BlockedUrlRecord[]; total: number }> {
    const where = { SubscriptionID: subscriptionId };
    const [items, total] = await Promise.all([
      this.model.find(where).sort({ BlockedAt: -1, _id: 1 }).skip(skip).limit(limit).lean<BlockedUrlRecord[]>().exec(),
      this.model.countDocuments(where).exec(),
    ]);
    return { items, total };
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

  /** Removes the record with this id (`ID` in the listing) if it belongs to the subscription. */
  async remove(subscriptionId: number, id: string): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: id, SubscriptionID: subscriptionId }).exec();
    return result.deletedCount > 0;
  }
}
