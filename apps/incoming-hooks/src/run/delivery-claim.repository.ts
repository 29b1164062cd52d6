import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Schema, type Model } from 'mongoose';
import { ErrorCode, HooklineError, isDuplicateKeyError } from '@hookline/service-kit';

/** A sender's delivery id seen for a hook, and the run it started (replay protection). */
export interface DeliveryClaim {
  /** `<hookId>:<deliveryId>`: the unique _id makes claiming atomic on every MongoDB-wire server. */
  _id: string;
  runId: string;
  expiresAt: Date;
}

export const DELIVERY_CLAIM_MODEL = 'HookDelivery';

export const DeliveryClaimSchema = new Schema<DeliveryClaim>(
  {
    _id: { type: String, required: true },
    runId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'hook_deliveries', versionKey: false },
);
DeliveryClaimSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

@Injectable()
export class DeliveryClaimRepository {
  constructor(@InjectModel(DELIVERY_CLAIM_MODEL) private readonly model: Model<DeliveryClaim>) {}

  /**
   * Claims the delivery id for `runId`. Returns the run of an earlier claim that is still within
   * its retention, else undefined (the claim is ours). A claim past retention that the TTL monitor
   * has not removed yet is taken over.
   */
  async claim(
    hookId: string,
    deliveryId: string,
    runId: string,
    now: Date,
    expiresAt: Date,
  ): Promise<string | undefined> {
    const _id = `${hookId}:${deliveryId}`;
    // Each round ends unless a claim vanishes (expires) between our reads; three is plenty.
    for (let round = 0; round < 3; round++) {
      if (await this.tryCreate(_id, runId, expiresAt)) return undefined;
      const taken = await this.model
        .updateOne({ _id, expiresAt: { $lte: now } }, { $set: { runId, expiresAt } })
        .exec();
      if (taken.modifiedCount > 0) return undefined;
      const existing = await this.model.findById(_id).lean<DeliveryClaim>().exec();
      if (existing) return existing.runId;
    }
    throw new HooklineError(ErrorCode.Unavailable, 'The delivery id could not be claimed; send again');
  }

  /** Lets a delivery id be used again when its run could not be stored. */
  async release(hookId: string, deliveryId: string, runId: string): Promise<void> {
    await this.model.deleteOne({ _id: `${hookId}:${deliveryId}`, runId }).exec();
  }

  private async tryCreate(_id: string, runId: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.model.create({ _id, runId, expiresAt });
      return true;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return false;
    }
  }
}
