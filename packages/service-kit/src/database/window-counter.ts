import { Schema, type Model } from 'mongoose';
import { isDuplicateKeyError } from './duplicate-key';

/**
 * A count of events in one fixed time window (login failures, hook calls), kept in MongoDB so
 * that every instance of a service shares it; the TTL index drops it once its window is over.
 */
export interface WindowCounter {
  /** What is counted and the window's start, e.g. `<hookId>:<start ms>`. */
  _id: string;
  count: number;
  expiresAt: Date;
}

export function windowCounterSchema(collection: string): Schema<WindowCounter> {
  const schema = new Schema<WindowCounter>(
    {
      _id: { type: String, required: true },
      count: { type: Number, required: true },
      expiresAt: { type: Date, required: true },
    },
    { collection, versionKey: false },
  );
  schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  return schema;
}

/** Counts one event in the counter `_id` (made on the first) and answers its count, this one included. */
export async function countInWindow(model: Model<WindowCounter>, _id: string, expiresAt: Date): Promise<number> {
  const increment = () =>
    model
      .findOneAndUpdate(
        { _id },
        { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<WindowCounter>()
      .exec();
  try {
    return (await increment())!.count;
  } catch (err) {
    // The window's first two events both tried to insert it; the loser's increment now finds it.
    if (!isDuplicateKeyError(err)) throw err;
    return (await increment())!.count;
  }
}
