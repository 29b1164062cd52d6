import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { countInWindow, windowCounterSchema, type WindowCounter } from '@hookline/service-kit';
import type { FailureWindow } from './login-limits';

export const LOGIN_ATTEMPTS_MODEL = 'LoginAttempts';

/** Login attempts of one email or one client address in one window: `<email:…|address:…>@<window start in ms>`. */
export const LoginAttemptsSchema = windowCounterSchema('login_attempts');

const counterId = (key: string, window: FailureWindow): string => `${key}@${window.start}`;

/** Login attempt counters, shared by every registry instance so that more instances allow no more guesses. */
@Injectable()
export class LoginAttemptRepository {
  constructor(@InjectModel(LOGIN_ATTEMPTS_MODEL) private readonly model: Model<WindowCounter>) {}

  /** Counts one attempt and answers the count in this window so far, this one included. */
  async hit(key: string, window: FailureWindow): Promise<number> {
    return countInWindow(this.model, counterId(key, window), new Date(window.end));
  }

  /** Takes one attempt back: it turned out to be a successful login. */
  async forgive(key: string, window: FailureWindow): Promise<void> {
    await this.model.updateOne({ _id: counterId(key, window), count: { $gt: 0 } }, { $inc: { count: -1 } }).exec();
  }

  /** Forgets the key's attempts in this window (its owner signed in). */
  async clear(key: string, window: FailureWindow): Promise<void> {
    await this.model.deleteOne({ _id: counterId(key, window) }).exec();
  }
}
