import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Schema, type Model } from 'mongoose';
import { isDuplicateKeyError } from '@hookline/service-kit';
import type { FailureWindow } from './login-limits';

/** Login attempts of one email or one client address in one window. */
export interface LoginAttempts {
  /** `<email:…|address:…>@<window start in ms>`. */
  _id: string;
  count: number;
  expiresAt: Date;
}

export const LOGIN_ATTEMPTS_MODEL = 'LoginAttempts';

export const LoginAttemptsSchema = new Schema<LoginAttempts>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'login_attempts', versionKey: false },
);
LoginAttemptsSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

/** Login attempt counters, shared by every registry instance so that more instances allow no more guesses. */
@Injectable()
export class LoginAttemptRepository {
  constructor(@InjectModel(LOGIN_ATTEMPTS_MODEL) private readonly model: Model<LoginAttempts>) {}

  /** Counts one attempt and answers the count in this window so far, this one included. */
  async hit(key: string, window: FailureWindow): Promise<number> {
    const _id = `${key}@${window.start}`;
    const increment = () =>
      this.model
        .findOneAndUpdate(
          { _id },
          { $inc: { count: 1 }, $setOnInsert: { expiresAt: new Date(window.end) } },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<LoginAttempts>()
        .exec();
    try {
      return (await increment())!.count;
    } catch (err) {
      // Two first attempts of a window both tried to insert it; the loser's increment now finds it.
      if (!isDuplicateKeyError(err)) throw err;
      return (await increment())!.count;
    }
  }

  /** Takes one attempt back: it turned out to be a successful login. */
  async forgive(key: string, window: FailureWindow): Promise<void> {
    await this.model.updateOne({ _id: `${key}@${window.start}`, count: { $gt: 0 } }, { $inc: { count: -1 } }).exec();
  }

  /** Forgets the key's attempts in this window (its owner signed in). */
  async clear(key: string, window: FailureWindow): Promise<void> {
    await this.model.deleteOne({ _id: `${key}@${window.start}` }).exec();
  }
}
