import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInstance,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Opaque } from './opaque';
import type { ChangeAction, WebhookEventKind } from './streams';

export const CHANGE_ACTIONS: readonly ChangeAction[] = ['Created', 'Updated', 'Deleted', 'Recycled'];

/** An attribute's value in a change message, keyed by attribute id (Rally seed). */
export interface AttributeValue {
  value: unknown;
  type: string;
  name: string;
  display_name: string;
  ref: string | null;
}

/**
 * A changed attribute: `old_value` for scalars/objects (with `added`/`removed` null), `added`/`removed`
 * for collections (with `old_value` null), as in the Rally seed's change messages.
 */
export interface AttributeChange extends AttributeValue {
  old_value?: unknown;
  added?: unknown[] | null;
  removed?: unknown[] | null;
}

/**
 * Subject `changes.<tenant>.<objectType>.<action>` on stream CHANGES. The Rally change message
 * (seed: message_version 2) plus two envelope fields, `tenant` and `ingested_at`, that stay
 * inside Hookline and are not part of delivered payloads.
 */
export class ChangeMessage {
  @IsString() @IsNotEmpty() message_id: string;
  @IsInt() message_version: number;
  @IsInt() subscription_id: number;
  @IsString() @IsNotEmpty() tenant: string;
  @IsIn(CHANGE_ACTIONS) action: ChangeAction;
  @IsString() @IsNotEmpty() object_id: string;
  @IsString() @IsNotEmpty() object_type: string;
  @IsOptional() @IsString() ref?: string;
  @IsOptional() @IsString() detail_link?: string;
  @IsOptional() @IsObject() @Opaque() project?: Record<string, unknown>;
  @IsOptional() @IsObject() @Opaque() transaction?: Record<string, unknown>;
  @IsObject() @Opaque() state: Record<string, AttributeValue>;
  @IsObject() @Opaque() changes: Record<string, AttributeChange>;
  /** When ingest accepted it, for end-to-end latency. */
  @IsISO8601() ingested_at: string;
}

export interface WebhookRetryPolicyView {
  MaxRetries: number;
  InitialDelayMs: number;
  BackoffMultiplier: number;
  RetryOnStatus: number[];
}

/**
 * A webhook as the registry API returns it (Rally's fields first, then the extensions) and as
 * WEBHOOKS events carry it. Secrets appear masked.
 */
export interface WebhookView {
  AppName: string;
  AppUrl: string;
  Name: string;
  TargetUrl: string;
  ObjectTypes: string[];
  Expressions: { AttributeID: string | null; AttributeName: string | null; Operator: string; Value?: unknown }[];
  CreatedBy: string | null;
  CreationDate: string;
  Disabled: boolean;
  Security: string | null;
  LastUpdateDate: string;
  ObjectUUID: string;
  OwnerID: string;
  SubscriptionID: number;
  _objectVersion: number;
  _ref: string;
  _type: 'webhook';
  FireCount: number | null;
  ErrorCount: number | null;
  LastStatus: number | null;
  LastWebhookResponseTime: number | null;
  LastSuccess: string | null;
  LastFailure: string | null;
  Events: ('Created' | 'Updated' | 'Deleted')[];
  /** Pairs of object type and event; absent in events from before it existed, which means none. */
  Triggers?: { ObjectType: string; Event: 'Created' | 'Updated' | 'Deleted' }[];
  Condition: string | null;
  /** Attribute ids or names; numbers stay numbers as registered (BMC's `payloadFieldIds`). */
  Fields: (string | number)[];
  IncludeAllFields: boolean;
  /** `rally`, `record` or `ticket`; absent in events from before it existed, which means `rally`. */
  PayloadFormat?: 'rally' | 'record' | 'ticket';
  /**
   * The product whose payload rules the webhook follows; null (or absent, in events from before
   * it existed) for webhooks stored before dialects, which keep the rules they had.
   */
  Dialect?: 'rally' | 'octane' | 'bmc' | 'changegear' | null;
  Headers: Record<string, string>;
  Authentication: Record<string, string | null> | null;
  CommunicationMethod: 'http' | 'websocket';
  SharedSpace: string | null;
  RetryPolicy: WebhookRetryPolicyView;
  /** Masked, except in the answers to create and rotate, which show it once in clear. */
  SigningSecret: string;
}

/**
 * Subject `apikeys.<tenant>.<keyId>.revoked` (core NATS, not stored): the key no longer
 * authenticates, so a service holding a connection opened with it closes that connection now.
 */
export class ApiKeyRevokedEvent {
  @IsString() @IsNotEmpty() tenant: string;
  @IsString() @IsNotEmpty() keyId: string;
  @IsISO8601() revokedAt: string;
}

/**
 * Subject `blocklist.<tenant>.unblocked` (core NATS, not stored): an admin removed the blocked URL
 * whose record id is `id`, so every dispatcher instance delivers to it again from the next job.
 */
export class UrlUnblockedEvent {
  @IsString() @IsNotEmpty() tenant: string;
  /** The blocked URL's record id (`<subscription>:<url>`), as the blocklist API lists it. */
  @IsString() @IsNotEmpty() id: string;
  @IsISO8601() unblockedAt: string;
}

/** A secret sealed by the registry (AES-256-GCM `v1:` form); only services holding HOOKLINE_ENCRYPTION_KEY open it. */
export type SealedSecret = string;

/**
 * How the dispatcher signs in with a username and password before delivering (BMC seed), and how
 * it then sends the token it got: `RemedyJwt` posts a form to AR System's `/api/jwt/login` and
 * `InnovationSuite` posts JSON to `/api/rx/authentication/loginrequest`, both answer the token as
 * the body, sent as `AR-JWT <token>`; `OAuth2Password` is the OAuth2 password grant (RFC 6749
 * §4.3, BMC Helix SSO), its `access_token` sent as `Bearer <token>`.
 */
export const SIGN_IN_FLOWS = ['RemedyJwt', 'InnovationSuite', 'OAuth2Password'] as const;
export type SignInFlow = (typeof SIGN_IN_FLOWS)[number];

/** The Authorization scheme a fixed token is sent with: OAuth2's, or AR System's own. */
export const TOKEN_SCHEMES = ['Bearer', 'AR-JWT'] as const;
export type TokenScheme = (typeof TOKEN_SCHEMES)[number];

/**
 * How OAuth2 client credentials reach the token URL, named as RFC 7591's
 * `token_endpoint_auth_method`: `client_secret_basic` in a Basic Authorization header (RFC 6749
 * §2.3.1), or `client_secret_post` as `client_id` and `client_secret` fields of the form.
 */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];
/**
 * What an absent method means: every token URL must accept it. The registry applies it when it
 * reads a stored webhook, so what it publishes is explicit; the dispatcher, to jobs without one.
 */
export const DEFAULT_CLIENT_AUTH_METHOD: ClientAuthMethod = 'client_secret_basic';

export type DeliveryAuthentication =
  | { Type: 'Basic'; Username: string; Password: SealedSecret }
  | {
      Type: 'OAuth2ClientCredentials';
      TokenUrl: string;
      ClientId: string;
      ClientSecret: SealedSecret;
      Scope: string | null;
      /** Absent in jobs made before it existed (or from WEBHOOKS events that were): the default. */
      ClientAuthMethod?: ClientAuthMethod;
    }
  | { Type: 'SignIn'; Flow: SignInFlow; SignInUrl: string; Username: string; Password: SealedSecret }
  | { Type: 'Token'; Scheme: TokenScheme; Token: SealedSecret };

export interface DeliveryRetryPolicy {
  MaxRetries: number;
  InitialDelayMs: number;
  BackoffMultiplier: number;
  RetryOnStatus: number[];
}

/**
 * How to deliver for one webhook: its target, headers, auth and retry policy, its secrets still
 * sealed. Built by the registry alone and carried in WEBHOOKS events; the matcher copies it into
 * each job as it is, so the dispatcher needs no database.
 */
export class DeliverySpec {
  @IsString() @IsNotEmpty() TargetUrl: string;
  @IsIn(['http', 'websocket']) CommunicationMethod: 'http' | 'websocket';
  @IsOptional() @IsString() SharedSpace: string | null;
  /** Rally's shared secret, sent as a request header. */
  @IsOptional() @IsString() Security: string | null;
  /** Extra request headers, values sealed. */
  @IsObject() Headers: Record<string, SealedSecret>;
  @IsOptional() @IsObject() Authentication: DeliveryAuthentication | null;
  @IsString() @IsNotEmpty() SigningSecret: SealedSecret;
  @IsObject() RetryPolicy: DeliveryRetryPolicy;
}

/**
 * Subject `webhooks.<tenant>.<webhookId>` on stream WEBHOOKS (the newest event per webhook is
 * kept). `webhook` and `spec` are absent for `deleted`.
 *
 * Events stored before `spec` existed carry `secrets` instead (the sealed `SigningSecret`,
 * `Authentication.{Password|ClientSecret|Token}` and `Headers.<name>`, beside the masked view);
 * the stream keeps a webhook's newest event forever, so readers still meet that form.
 */
export class WebhookEvent {
  @IsIn(['created', 'updated', 'deleted']) kind: WebhookEventKind;
  @IsString() @IsNotEmpty() tenant: string;
  @IsString() @IsNotEmpty() webhookId: string;
  @IsInt() @Min(0) objectVersion: number;
  /** What the matcher matches and renders with, secrets masked as the API shows them. */
  @IsOptional() @IsObject() @Opaque() webhook?: WebhookView;
  /** How to deliver for the webhook, built by the registry; copied into each job as it is. */
  @IsOptional() @ValidateNested() @Type(() => DeliverySpec) spec?: DeliverySpec;
}

/**
 * Delivery ids of test deliveries (`POST /webhook/{id}/test`, ChangeGear's "test a webhook") start
 * with this. The registry reports their outcome to the caller only (no stats, no log), and the
 * dispatcher does not take a 410 to one as the webhook being gone: a test is not a firing.
 */
export const TEST_DELIVERY_PREFIX = 'test-';

export function isTestDelivery(deliveryId: string): boolean {
  return deliveryId.startsWith(TEST_DELIVERY_PREFIX);
}

/**
 * Subject `deliveries.<tenant>.<webhookId>` on stream DELIVERIES; id = message id + webhook id.
 * On the wire (encodeDeliveryJob): the job's fields as JSON, a newline, then the body exactly as
 * the receiver gets it. Jobs queued by older producers are one JSON object whose `payload` is the
 * body, and may also carry `target` (the URL, method and shared space now in `spec`):
 * decodeDeliveryJob reads both.
 */
export class DeliveryJob {
  @IsString() @IsNotEmpty() deliveryId: string;
  @IsString() @IsNotEmpty() tenant: string;
  @IsString() @IsNotEmpty() webhookId: string;
  @IsString() @IsNotEmpty() messageId: string;
  /** The webhook's delivery settings when the job was made (matched, tested or replayed), secrets sealed. */
  @ValidateNested() @Type(() => DeliverySpec) spec: DeliverySpec;
  /** The `{ rule, message }` body as JSON bytes, serialised once by whoever made the job. */
  @IsInstance(Uint8Array) @Opaque() body: Uint8Array;
  @IsISO8601() createdAt: string;
}

/** A delivery job as its producer makes it: the body still an object, serialised by encodeDeliveryJob. */
export interface NewDeliveryJob extends Omit<DeliveryJob, 'body'> {
  payload: Record<string, unknown>;
}

const NEWLINE = 0x0a;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * The job's fields and its body in one message, the body after the first newline (JSON text has
 * none of its own). The dispatcher then parses only the fields and POSTs the body's bytes as they
 * came: parsing a whole job and serialising its body again was most of what a job cost it to read.
 */
export function encodeDeliveryJob(job: NewDeliveryJob | DeliveryJob): Uint8Array {
  if ('payload' in job) {
    const { payload, ...fields } = job;
    return utf8.encode(`${JSON.stringify(fields)}\n${JSON.stringify(payload)}`);
  }
  // A job read from DELIVERIES, queued again (parked): its body stays the bytes it came with.
  const { body, ...fields } = job;
  const head = utf8.encode(`${JSON.stringify(fields)}\n`);
  const data = new Uint8Array(head.length + body.length);
  data.set(head);
  data.set(body, head.length);
  return data;
}

const isJsonObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A DELIVERIES message as a DeliveryJob, not validated yet. Throws on a message that is not JSON.
 * A message of the older form (one JSON object, the body in `payload`) gets its body serialised here.
 */
export function decodeDeliveryJob(data: Uint8Array): DeliveryJob {
  const end = data.indexOf(NEWLINE);
  if (end !== -1) {
    let fields: unknown;
    try {
      fields = JSON.parse(fromUtf8.decode(data.subarray(0, end)));
    } catch {
      fields = undefined;
    }
    // Not the fields line: an older job written over several lines.
    if (isJsonObject(fields) && !('payload' in fields))
      return Object.assign(fields, { body: data.subarray(end + 1) }) as DeliveryJob;
  }
  const { payload, ...fields } = JSON.parse(fromUtf8.decode(data)) as Partial<NewDeliveryJob>;
  const body = isJsonObject(payload) ? utf8.encode(JSON.stringify(payload)) : undefined;
  return { ...fields, body } as DeliveryJob;
}

/** A job's body as the object it serialises (to keep a failed delivery's body, or to inspect one). */
export function payloadOfDeliveryJob(job: Pick<DeliveryJob, 'body'>): Record<string, unknown> {
  return JSON.parse(fromUtf8.decode(job.body)) as Record<string, unknown>;
}

export type OutcomeKind = 'success' | 'retry' | 'failed' | 'gone' | 'held';

/**
 * Why an attempt did not succeed: the receiver's status, a transport problem, a refusal before
 * connecting (SSRF guard, HTTP policy, bad URL or header), the sign-in for a token, the tunnel, or a hold.
 */
export type DeliveryErrorKind =
  | 'status'
  | 'redirect'
  | 'timeout'
  | 'connection'
  | 'invalid-http'
  | 'refused'
  | 'auth'
  | 'no-listener'
  | 'invalid-job'
  | 'breaker-open'
  | 'url-blocked';

export const DELIVERY_ERROR_KINDS: readonly DeliveryErrorKind[] = [
  'status',
  'redirect',
  'timeout',
  'connection',
  'invalid-http',
  'refused',
  'auth',
  'no-listener',
  'invalid-job',
  'breaker-open',
  'url-blocked',
];

/** The request of one attempt as the delivery log shows it: secrets masked, the body cut short. */
export class AttemptRequest {
  @IsString() @IsNotEmpty() url: string;
  /** Every header sent, names lower-cased; authorization, signature and the webhook's own values masked. */
  @IsObject() headers: Record<string, string>;
  /**
   * The start of the body sent (MAX_LOGGED_BODY_CHARS at most); absent when the dispatcher keeps
   * no body for the attempt (a success, unless its DELIVERY_LOG_BODIES is `all`).
   */
  @IsOptional() @IsString() bodyExcerpt?: string;
}

/** Characters of a request body or a response the delivery log keeps per attempt. */
export const MAX_LOGGED_BODY_CHARS = 2048;

/** Subject `outcomes.<tenant>.<webhookId>` on stream OUTCOMES: one per attempt. */
export class DeliveryOutcome {
  @IsString() @IsNotEmpty() deliveryId: string;
  @IsString() @IsNotEmpty() tenant: string;
  @IsString() @IsNotEmpty() webhookId: string;
  @IsIn(['success', 'retry', 'failed', 'gone', 'held']) kind: OutcomeKind;
  @IsInt() @Min(1) attempt: number;
  @IsOptional() @IsInt() status?: number;
  @IsInt() @Min(0) latencyMs: number;
  @IsOptional() @IsString() error?: string;
  /** The class of `error`, for stats and alerting without parsing messages. */
  @IsOptional() @IsIn(DELIVERY_ERROR_KINDS) errorKind?: DeliveryErrorKind;
  @IsISO8601() at: string;
  /** The start of the receiver's response body (test deliveries show it to the user). */
  @IsOptional() @IsString() responseExcerpt?: string;
  /** What was sent, on attempts that reached the point of sending (absent from older dispatchers). */
  @IsOptional() @ValidateNested() @Type(() => AttemptRequest) request?: AttemptRequest;
  /** The receiver's response headers, names lower-cased, when an answer arrived. */
  @IsOptional() @IsObject() @Opaque() responseHeaders?: Record<string, string>;
  /** The change message of the delivery, so a failed delivery can be replayed. */
  @IsOptional() @IsString() messageId?: string;
  /** The delivered body, on `failed` outcomes only: kept by the registry for inspection and replay. */
  @IsOptional() @IsObject() @Opaque() payload?: Record<string, unknown>;
  /**
   * The W3C `traceparent` of the dispatcher's span for this outcome, when tracing is on: outcomes
   * travel in batches, so each carries its own trace (the delivery log shows its trace id).
   */
  @IsOptional() @IsString() traceparent?: string;
}

/** Outcomes a batch holds at most. */
export const MAX_OUTCOMES_PER_BATCH = 1_000;

/**
 * Subject `outcome-batches.<producer>` on stream OUTCOME_BATCHES: the outcomes of many attempts,
 * in the order they happened. A batch may come twice and an outcome may also come singly on
 * OUTCOMES: each attempt is applied once by its `deliveryId`, `attempt` and `at` (a hold by the first
 * two: it is logged once however often it is reported).
 */
export class DeliveryOutcomeBatch {
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_OUTCOMES_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => DeliveryOutcome)
  outcomes: DeliveryOutcome[];
}

export type PipelineRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** Subject `pipelines.<tenant>.<pipelineId>.runs` on stream PIPELINES. */
export class PipelineRunEvent {
  @IsString() @IsNotEmpty() runId: string;
  @IsString() @IsNotEmpty() tenant: string;
  @IsString() @IsNotEmpty() pipelineId: string;
  @IsString() @IsNotEmpty() hookId: string;
  @IsIn(['queued', 'running', 'succeeded', 'failed']) status: PipelineRunStatus;
  @IsObject() @Opaque() variables: Record<string, unknown>;
  @IsISO8601() at: string;
}

/** The states a runner reports; `queued` is set by incoming-hooks when a hook call creates the run. */
export const REPORTED_RUN_STATUSES = ['running', 'succeeded', 'failed'] as const satisfies PipelineRunStatus[];
export type ReportedRunStatus = (typeof REPORTED_RUN_STATUSES)[number];

/**
 * Core NATS request on `runs.state.<tenant>` (SUBJECTS.runState): a runner reports a run it took
 * from PIPELINES as running or finished, as `POST /pipelines/{id}/runs/{run_id}/state` does over
 * HTTP. The tenant is the subject's; the reply is a PipelineRunStateReply.
 */
export class PipelineRunStateReport {
  @IsString() @IsNotEmpty() pipelineId: string;
  @IsString() @IsNotEmpty() runId: string;
  @IsIn(REPORTED_RUN_STATUSES) status: ReportedRunStatus;
  @IsOptional() @IsString() @MaxLength(2_000) message?: string;
}

/** The report was recorded. */
export interface PipelineRunStateAccepted {
  /**
   * `changed`: the run is now in `status` and the change is on its way to change-ingest;
   * `unchanged`: the run already was (a repeated report), nothing new is sent.
   */
  result: 'changed' | 'unchanged';
  runId: string;
  pipelineId: string;
  status: PipelineRunStatus;
}

/**
 * The report was not recorded. `error` is VALIDATION_FAILED (`details` names each field), NOT_FOUND
 * (no such run for the tenant), CONFLICT (runs only move forward) or UNAVAILABLE (report again).
 */
export interface PipelineRunStateRefused {
  error: string;
  message: string;
  details: { field: string; reason: string }[];
}

export type PipelineRunStateReply = PipelineRunStateAccepted | PipelineRunStateRefused;

/** An origin whose circuit breaker is not closed, as one dispatcher instance sees it. */
export interface DispatchBreaker {
  origin: string;
  state: 'open' | 'half-open';
  /** Jobs parked for the origin (all instances). */
  parked: number;
  /** ISO time of the next probe; null while one is under way. */
  nextProbeAt: string | null;
}

/**
 * The reply to a core NATS request on `dispatch.status.<tenant>` (SUBJECTS.dispatchStatus): what
 * holds the tenant's deliveries back. The request body is `{}`.
 */
export interface DispatchStatus {
  openBreakers: DispatchBreaker[];
  /** Jobs parked for any origin (all instances). */
  parkedJobs: number;
  /** URLs whose block is in force now. */
  blockedUrls: number;
}
