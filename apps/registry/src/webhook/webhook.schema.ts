import { Schema } from 'mongoose';
import type { ClientAuthMethod, SignInFlow, TokenScheme, WebhookEventKind } from '@hookline/contracts';
import type {
  CommunicationMethod,
  Dialect,
  Operator,
  PayloadFormat,
  WebhookEventName,
  WebhookTrigger,
} from './webhook.rules';

/** A secret as stored: AES-256-GCM ciphertext plus the masked form responses show. */
export interface StoredSecret {
  Encrypted: string;
  Masked: string;
}

export interface ExpressionRecord {
  AttributeID: string | null;
  AttributeName: string | null;
  Operator: Operator;
  /** Absent for has/!has/changed. */
  Value?: unknown;
}

export type AuthenticationRecord =
  | { Type: 'Basic'; Username: string; Password: StoredSecret }
  | {
      Type: 'OAuth2ClientCredentials';
      TokenUrl: string;
      ClientId: string;
      ClientSecret: StoredSecret;
      Scope: string | null;
      ClientAuthMethod: ClientAuthMethod;
    }
  | { Type: 'SignIn'; Flow: SignInFlow; SignInUrl: string; Username: string; Password: StoredSecret }
  | { Type: 'Token'; Scheme: TokenScheme; Token: StoredSecret };

type OAuth2Record = Extract<AuthenticationRecord, { Type: 'OAuth2ClientCredentials' }>;

/**
 * An authentication as a document may hold it: without ClientAuthMethod when stored before it
 * existed, or when the request left it out. The repository reads that as the default.
 */
export type StoredAuthentication =
  | Exclude<AuthenticationRecord, OAuth2Record>
  | (Omit<OAuth2Record, 'ClientAuthMethod'> & { ClientAuthMethod?: ClientAuthMethod });

export interface RetryPolicyRecord {
  MaxRetries: number;
  InitialDelayMs: number;
  BackoffMultiplier: number;
  RetryOnStatus: number[];
}

export interface HeaderRecord {
  Name: string;
  Value: StoredSecret;
}

/** The user-writable definition of a webhook as written, secrets already encrypted. */
export interface WebhookDefinition {
  AppName: string;
  AppUrl: string;
  Name: string;
  TargetUrl: string;
  ObjectTypes: string[];
  Expressions: ExpressionRecord[];
  CreatedBy: string | null;
  OwnerID: string;
  Disabled: boolean;
  Security: string | null;
  Events: WebhookEventName[];
  /** When not empty, these pairs say when the webhook fires; ObjectTypes and Events are derived from them. */
  Triggers: WebhookTrigger[];
  Condition: string | null;
  /** As registered: BMC's numeric field ids stay numbers. */
  Fields: (string | number)[];
  IncludeAllFields: boolean;
  PayloadFormat: PayloadFormat;
  /** Null for webhooks stored before dialects: they keep the payload rules they had. */
  Dialect: Dialect | null;
  Headers: HeaderRecord[];
  Authentication: StoredAuthentication | null;
  CommunicationMethod: CommunicationMethod;
  SharedSpace: string | null;
  RetryPolicy: RetryPolicyRecord;
}

/** Read-only status fields the OUTCOMES consumer maintains. */
export interface WebhookStats {
  FireCount: number;
  ErrorCount: number;
  LastStatus: number | null;
  LastWebhookResponseTime: number | null;
  LastSuccess: Date | null;
  LastFailure: Date | null;
  /** Time of the attempt LastStatus and LastWebhookResponseTime describe. */
  LastAttemptAt: Date | null;
  /**
   * Each registry instance's last count of these stats, naming its attempts, by instance: set in
   * the same update as the count, so a registry killed before it noted them as counted neither
   * loses nor repeats the count. One entry per instance, so no instance replaces another's unread
   * (see OutcomeService).
   */
  StatsPendingBy?: Record<string, PendingStatsCount>;
  /** The one pending count stored before StatsPendingBy: read like an entry of it, then removed. */
  StatsPending?: PendingStatsCount | null;
}

/** The field of a webhook that holds one registry instance's pending count (`slot` is the instance's key). */
export function pendingCountField(slot: string): string {
  return `StatsPendingBy.${slot}`;
}

export interface PendingStatsCount {
  Batch: string;
  Attempts: string[];
  /** When the instance wrote it; absent on entries written before StatsPendingBy. */
  At?: Date;
}

/** A change whose WEBHOOKS event is not yet known to be published (transactional outbox on the document). */
export interface PendingEvent {
  Kind: WebhookEventKind;
  ObjectVersion: number;
}

/**
 * A webhook as stored in `webhooks`. Field names are the API's, so `order=<field>` sorts on the
 * stored field directly.
 */
export interface WebhookRecord extends WebhookDefinition, WebhookStats {
  _id: string;
  /** As read through the repository: every field it defaults is set. */
  Authentication: AuthenticationRecord | null;
  SubscriptionID: number;
  SigningSecret: StoredSecret;
  /**
   * The absolute URL of the webhook collection as the creating request reached it (`_ref` of the
   * payloads' rule when PUBLIC_BASE_URL is unset); null for webhooks stored before it existed.
   */
  RefBase: string | null;
  ObjectVersion: number;
  CreationDate: Date;
  LastUpdateDate: Date;
  PendingEvent: PendingEvent | null;
  /** Set while a deletion's event is being published; such a webhook is gone for every reader. */
  DeletedAt: Date | null;
}

const secret = { Encrypted: { type: String, required: true }, Masked: { type: String, required: true } };

export const WEBHOOK_MODEL = 'Webhook';

export const WebhookSchema = new Schema<WebhookRecord>(
  {
    _id: { type: String, required: true },
    SubscriptionID: { type: Number, required: true },
    AppName: { type: String, required: true },
    AppUrl: { type: String, required: true },
    Name: { type: String, required: true },
    TargetUrl: { type: String, required: true },
    ObjectTypes: { type: [String], default: [] },
    Expressions: {
      type: [
        new Schema(
          {
            AttributeID: { type: String, default: null },
            AttributeName: { type: String, default: null },
            Operator: { type: String, required: true },
            Value: { type: Schema.Types.Mixed },
          },
          { _id: false, minimize: false },
        ),
      ],
      required: true,
    },
    CreatedBy: { type: String, default: null },
    OwnerID: { type: String, required: true },
    Disabled: { type: Boolean, default: false },
    Security: { type: String, default: null },
    Events: { type: [String], required: true },
    Triggers: {
      type: [
        new Schema(
          { ObjectType: { type: String, required: true }, Event: { type: String, required: true } },
          { _id: false },
        ),
      ],
      default: [],
    },
    Condition: { type: String, default: null },
    Fields: { type: [Schema.Types.Mixed], default: [] },
    IncludeAllFields: { type: Boolean, default: true },
    // Webhooks stored before PayloadFormat existed read as `rally`, the body they always had.
    PayloadFormat: { type: String, default: 'rally' },
    Dialect: { type: String, default: null },
    Headers: {
      type: [new Schema({ Name: { type: String, required: true }, Value: secret }, { _id: false })],
      default: [],
    },
    Authentication: { type: Schema.Types.Mixed, default: null },
    CommunicationMethod: { type: String, required: true },
    SharedSpace: { type: String, default: null },
    RetryPolicy: { type: Schema.Types.Mixed, required: true },
    SigningSecret: { type: new Schema(secret, { _id: false }), required: true },
    RefBase: { type: String, default: null },
    ObjectVersion: { type: Number, required: true },
    CreationDate: { type: Date, required: true },
    LastUpdateDate: { type: Date, required: true },
    FireCount: { type: Number, default: 0 },
    ErrorCount: { type: Number, default: 0 },
    LastStatus: { type: Number, default: null },
    LastWebhookResponseTime: { type: Number, default: null },
    LastSuccess: { type: Date, default: null },
    LastFailure: { type: Date, default: null },
    LastAttemptAt: { type: Date, default: null },
    // Written and read through the driver only (OutcomeService): keys are instance ids.
    StatsPendingBy: { type: Schema.Types.Mixed },
    StatsPending: {
      type: new Schema({ Batch: { type: String, required: true }, Attempts: [String] }, { _id: false }),
      default: undefined,
    },
    PendingEvent: { type: Schema.Types.Mixed, default: null },
    DeletedAt: { type: Date, default: null },
  },
  { collection: 'webhooks', versionKey: false, minimize: false },
);
WebhookSchema.index({ SubscriptionID: 1, Name: 1 });
WebhookSchema.index({ PendingEvent: 1 });
