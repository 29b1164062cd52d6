import { Schema } from 'mongoose';

/**
 * A target URL the dispatcher stopped delivering to (Octane: URLs that answer slowly or wrongly
 * get blocked). The dispatcher writes these to `blocked_urls`; the registry lists and removes them.
 */
export interface BlockedUrlRecord {
  _id: string;
  SubscriptionID: number;
  Url: string;
  /** The webhook whose deliveries caused the block, when known. */
  WebhookID: string | null;
  Reason: string;
  BlockedAt: Date;
  /** When the block lapses by itself; null blocks until an admin removes it. */
  Until: Date | null;
}

export const BLOCKED_URL_MODEL = 'BlockedUrl';

export const BlockedUrlSchema = new Schema<BlockedUrlRecord>(
  {
    _id: { type: String, required: true },
    SubscriptionID: { type: Number, required: true },
    Url: { type: String, required: true },
    WebhookID: { type: String, default: null },
    Reason: { type: String, required: true },
    BlockedAt: { type: Date, required: true },
    Until: { type: Date, default: null },
  },
  { collection: 'blocked_urls', versionKey: false },
);
BlockedUrlSchema.index({ SubscriptionID: 1, Url: 1 }, { unique: true });
