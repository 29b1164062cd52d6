import type { BlockedUrlRecord } from '../blocked-url.schema';

/** A blocked URL as the blocklist API answers it. */
export function toBlockedUrlResponse(record: BlockedUrlRecord) {
  return {
    ID: record._id,
    Url: record.Url,
    WebhookID: record.WebhookID,
    Reason: record.Reason,
    BlockedAt: record.BlockedAt.toISOString(),
    Until: record.Until?.toISOString() ?? null,
    Count: record.Count,
  };
}

export type BlockedUrlResponse = ReturnType<typeof toBlockedUrlResponse>;
