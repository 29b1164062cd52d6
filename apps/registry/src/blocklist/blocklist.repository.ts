import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { Page } from '../webhook/webhook.repository';
import { BLOCKED_URL_MODEL, type BlockedUrlRecord } from '@hookline/blocklist';

/** Access to `blocked_urls`; every method takes the subscription. */
@Injectable()
export class BlocklistRepository {
  constructor(@InjectModel(BLOCKED_URL_MODEL) private readonly model: Model<BlockedUrlRecord>) {}

  async list(subscriptionId: number, skip: number, limit: number): Promise<Page<BlockedUrlRecord>> {
    const where = { SubscriptionID: subscriptionId };
    const [items, total] = await Promise.all([
      this.model.find(where).sort({ BlockedAt: -1, _id: 1 }).skip(skip).limit(limit).lean<BlockedUrlRecord[]>().exec(),
      this.model.countDocuments(where).exec(),
    ]);
    return { items, total };
  }

  async remove(subscriptionId: number, id: string): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: id, SubscriptionID: subscriptionId }).exec();
    return result.deletedCount > 0;
  }
}
