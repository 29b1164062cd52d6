import { Schema } from 'mongoose';
import type { DeliveryErrorKind, OutcomeKind } from '@hookline/contracts';

/**
 * One delivery attempt, from one DeliveryOutcome. `_id` is `<at>|<deliveryId>#<attempt>` (a hold's
 * `<deliveryId>#<attempt>#held`; see attemptIdOf), so a redelivered outcome is one row.
 */
export interface AttemptRecord {
  _id: string;
  SubscriptionID: number;
  WebhookID: string;
  DeliveryID: string;
  Attempt: number;
  Kind: OutcomeKind;
  Status: number | null;
  LatencyMs: number;
  Error: string | null;
  At: Date;
  /** The trace the attempt belongs to, when tracing was on (absent on entries from before it existed). */
  TraceID?: string | null;
  /** The fields below are absent on entries from before the log kept them. */
  ErrorKind?: DeliveryErrorKind | null;
  /**
   * What was sent (secrets masked, body cut short, or null when the dispatcher kept no body for
   * the attempt); null when the attempt sent nothing.
   */
  Request?: AttemptRequestRecord | null;
  /** The receiver's answer; null when none arrived. */
  Response?: AttemptResponseRecord | null;
}

export interface AttemptRequestRecord {
  Url: string;
  Headers: Record<string, string>;
  BodyExcerpt: string | null;
}

export interface AttemptResponseRecord {
  Headers: Record<string, string>;
  BodyExcerpt: string;
}

/**
 * An attempt as the collection holds it: `Request` and `Response` as JSON text, since nothing
 * queries inside them and a document with every header as a field of its own cost the embedded
 * server twice as much to insert (docs/decisions/013-attempt-log-detail-as-text.md). Entries
 * stored before hold them as documents.
 */
export interface StoredAttempt extends Omit<AttemptRecord, 'Request' | 'Response'> {
  Request?: string | AttemptRequestRecord | null;
  Response?: string | AttemptResponseRecord | null;
}

/** A request or response as the collection keeps it; null when there was none. */
const asText = (detail: object | null | undefined): string | null => (detail ? JSON.stringify(detail) : null);

/** A request or response as stored: JSON text, or a document in entries stored before. */
const fromStored = <T>(detail: string | T | null | undefined): T | null | undefined =>
  typeof detail === 'string' ? (JSON.parse(detail) as T) : detail;

export function storedAttempt(record: AttemptRecord): StoredAttempt {
  return { ...record, Request: asText(record.Request), Response: asText(record.Response) };
}

export function attemptOf(stored: StoredAttempt): AttemptRecord {
  return { ...stored, Request: fromStored(stored.Request), Response: fromStored(stored.Response) };
}

/**
 * Notes that an attempt is counted in its webhook's stats, so a redelivered outcome counts once.
 * A collection of its own rather than a flag on the attempt: the delivery log is then only ever
 * inserted into, and an insert costs less than an update on every server (docs/storage.md).
 */
export interface CountedAttemptRecord {
  /** The attempt's `_id`. */
  _id: string;
  SubscriptionID: number;
}

/** A delivery that exhausted its retries (BMC "callback fail data"), kept for inspection and replay. */
export interface FailedDeliveryRecord {
  /** The delivery id. */
  _id: string;
  SubscriptionID: number;
  WebhookID: string;
  MessageID: string | null;
  Payload: Record<string, unknown> | null;
  LastStatus: number | null;
  Attempts: number;
  Error: string | null;
  FailedAt: Date;
  ReplayCount: number;
  LastReplayAt: Date | null;
}

export const ATTEMPT_MODEL = 'DeliveryAttempt';
export const FAILED_DELIVERY_MODEL = 'FailedDelivery';
export const COUNTED_ATTEMPT_MODEL = 'CountedAttempt';

export const AttemptSchema = new Schema<StoredAttempt>(
  {
    _id: { type: String, required: true },
    SubscriptionID: { type: Number, required: true },
    WebhookID: { type: String, required: true },
    DeliveryID: { type: String, required: true },
    Attempt: { type: Number, required: true },
    Kind: { type: String, required: true },
    Status: { type: Number, default: null },
    LatencyMs: { type: Number, required: true },
    Error: { type: String, default: null },
    At: { type: Date, required: true },
    TraceID: { type: String, default: null },
    ErrorKind: { type: String, default: null },
    // JSON text (see StoredAttempt); documents in entries stored before.
    Request: { type: Schema.Types.Mixed, default: null },
    Response: { type: Schema.Types.Mixed, default: null },
  },
  // Not minimized: a response without headers keeps its empty `Headers`, as the API documents it.
  { collection: 'delivery_attempts', versionKey: false, minimize: false },
);
AttemptSchema.index({ SubscriptionID: 1, WebhookID: 1, At: -1 });

export const CountedAttemptSchema = new Schema<CountedAttemptRecord>(
  {
    _id: { type: String, required: true },
    SubscriptionID: { type: Number, required: true },
  },
  { collection: 'counted_attempts', versionKey: false },
);

export const FailedDeliverySchema = new Schema<FailedDeliveryRecord>(
  {
    _id: { type: String, required: true },
    SubscriptionID: { type: Number, required: true },
    WebhookID: { type: String, required: true },
    MessageID: { type: String, default: null },
    Payload: { type: Schema.Types.Mixed, default: null },
    LastStatus: { type: Number, default: null },
    Attempts: { type: Number, required: true },
    Error: { type: String, default: null },
    FailedAt: { type: Date, required: true },
    ReplayCount: { type: Number, default: 0 },
    LastReplayAt: { type: Date, default: null },
  },
  { collection: 'failed_deliveries', versionKey: false, minimize: false },
);
FailedDeliverySchema.index({ SubscriptionID: 1, WebhookID: 1, FailedAt: -1 });
