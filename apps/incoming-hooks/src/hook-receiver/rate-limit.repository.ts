import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { countInWindow, windowCounterSchema, type WindowCounter } from '@hookline/service-kit';

export const RATE_WINDOW_MODEL = 'HookRateWindow';

/** Calls to one hook in one fixed window (`<hookId>:<window start in ms>`), shared by every instance. */
export const RateWindowSchema = windowCounterSchema('hook_rate_windows');

@Injectable()
export class RateLimitRepository {
  constructor(@InjectModel(RATE_WINDOW_MODEL) private readonly model: Model<WindowCounter>) {}

  /** Counts one call in the window and returns the count so far, this call included. */
  async hit(hookId: string, windowStart: number, expiresAt: Date): Promise<number> {
    return countInWindow(this.model, `${hookId}:${windowStart}`, expiresAt);
  }
}
