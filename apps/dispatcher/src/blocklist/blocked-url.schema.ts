import { Schema } from 'mongoose';

/**
 * A target URL the dispatcher stopped delivering to for a while (Octane: URLs that answer slowly
 * or not with valid HTTP get blocked). Only the dispatcher reads and writes these: it blocks,
 * enforces, lists and unblocks. Scoped to the subscription whose webhooks target the URL.
 *
 * COMPATIBILITY PROMISE: dispatchers of different versions share the collection during a rolling
 * deploy; add fields, do not rename them.
 */
export interface BlockedUrlRecord {
  /** `blockedUrlId(SubscriptionID, Url)`, so the same URL of two subscriptions are two records. */
  _id: string;
  SubscriptionID: number;
  Url: string;
  /** The webhook whose deliveries caused the block, when known. */
  WebhookID: string | null;
  Reason: string;
  BlockedAt: Date;
  /** When the block lapses by itself; null blocks until an admin removes it. */
  Until: Date | null;
  /** How many times this URL has been blocked, the current block included. */
  Count: number;
}

export const BLOCKED_URLS_COLLECTION = 'blocked_urls';
export const BLOCKED_URL_MODEL = 'BlockedUrl';

export function blockedUrlId(subscriptionId: number, url: string): string {
  return `${subscriptionId}:${url}`;
}

/** True while the block holds at `now`. */
export function isBlockActive(record: Pick<BlockedUrlRecord, 'Until'>, now: Date = new Date()): boolean {
  return record.Until === null || record.Until.getTime() > now.getTime();
}

export const BlockedUrlSchema = new Schema<BlockedUrlRecord>(
  {
    _id: { type: String, required: true },
    SubscriptionID: { type: Number, required: true },
    Url: { type: String, required: true },
    WebhookID: { type: String, default: null },
    Reason: { type: String, required: true },
    BlockedAt: { type: Date, required: true },
    Until: { type: Date, default: null },
    Count: { type: Number, default: 1 },
  },
  { collection: BLOCKED_URLS_COLLECTION, versionKey: false },
);
BlockedUrlSchema.index({ SubscriptionID: 1, Url: 1 }, { unique: true });
