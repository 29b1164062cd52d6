import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Schema, type Model } from 'mongoose';
import { isDuplicateKeyError } from '@hookline/service-kit';

/** Calls to one hook in one fixed window, shared by every instance of the service. */
export interface RateWindow {
  /** `<hookId>:<window start in ms>`. */
  _id: string;
  count: number;
  expiresAt: Date;
}

export const RATE_WINDOW_MODEL = 'HookRateWindow';

export const RateWindowSchema = new Schema<RateWindow>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'hook_rate_windows', versionKey: false },
);
RateWindowSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

@Injectable()
export class RateLimitRepository {
  constructor(@InjectModel(RATE_WINDOW_MODEL) private readonly model: Model<RateWindow>) {}

  /** Counts one call in the window and returns the count so far, this call included. */
  async hit(hookId: string, windowStart: number, expiresAt: Date): Promise<number> {
    const _id = `${hookId}:${windowStart}`;
    const increment = () =>
      this.model
        .findOneAndUpdate(
          { _id },
          { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<RateWindow>()
        .exec();
    try {
      return (await increment())!.count;
    } catch (err) {
      // Two first calls of a window both tried to insert it; the loser's increment now finds it.
      if (!isDuplicateKeyError(err)) throw err;
      return (await increment())!.count;
    }
  }
}
