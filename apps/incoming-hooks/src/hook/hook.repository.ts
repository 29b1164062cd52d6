import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { HOOK_MODEL, type HookRecord, type PreviousSecret, type StoredSecret } from './hook.schema';

/** All MongoDB access to incoming hooks. Management methods take the subscription, so no query can forget it. */
@Injectable()
export class HookRepository {
  constructor(@InjectModel(HOOK_MODEL) private readonly model: Model<HookRecord>) {}

  async insert(record: HookRecord): Promise<HookRecord> {
    return (await this.model.create(record)).toObject<HookRecord>();
  }

  /** The public hook URL's lookup: by token alone, because the token is what tells the tenant. */
  async findByToken(token: string): Promise<HookRecord | null> {
    return this.model.findOne({ token }).lean<HookRecord>().exec();
  }

  async findById(subscriptionId: number, pipelineId: string, id: string): Promise<HookRecord | null> {
    return this.model.findOne({ _id: id, subscriptionId, pipelineId }).lean<HookRecord>().exec();
  }

  async list(subscriptionId: number, pipelineId: string): Promise<HookRecord[]> {
    return this.model.find({ subscriptionId, pipelineId }).sort({ createdAt: 1, _id: 1 }).lean<HookRecord[]>().exec();
  }

  async setDisabled(
    subscriptionId: number,
    pipelineId: string,
    id: string,
    disabled: boolean,
    now: Date,
  ): Promise<HookRecord | null> {
    return this.model
      .findOneAndUpdate(
        { _id: id, subscriptionId, pipelineId },
        { $set: { disabled, updatedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<HookRecord>()
      .exec();
  }

  /**
   * Replaces the secret if it is still `current`, so of two rotations at once only one wins and the
   * other learns it lost (null) instead of silently dropping the winner's secret.
   */
  async rotateSecret(
    subscriptionId: number,
    pipelineId: string,
    id: string,
    current: string,
    next: StoredSecret,
    previous: PreviousSecret,
    now: Date,
  ): Promise<HookRecord | null> {
    return this.model
      .findOneAndUpdate(
        { _id: id, subscriptionId, pipelineId, 'secret.encrypted': current },
        { $set: { secret: next, previousSecret: previous, updatedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<HookRecord>()
      .exec();
  }

  async delete(subscriptionId: number, pipelineId: string, id: string): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: id, subscriptionId, pipelineId }).exec();
    return result.deletedCount > 0;
  }
}
