/**
 * Every call the console makes to Hookline, typed, on the same origin (the front door routes each
 * path to its service). One module, so that the generated client (packages/client) replaces it whole.
 */

export type Role = 'admin' | 'integration' | 'read-only';

export interface FieldProblem {
  field: string;
  reason: string;
}

/** The services' error body `{error, message, details}` with the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[],
  ) {
    super(message);
  }
}

export interface Page<T> {
  Results: T[];
  TotalResultCount: number;
  PageSize?: number;
  StartIndex?: number;
}

export interface Principal {
  SubscriptionID: number;
  KeyID: string;
  Roles: Role[];
  SharedSpaces: string[];
}

export const OPERATORS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'changed-to',
  'changed-from',
  '~',
  '!~',
  'has',
  '!has',
  'changed',
] as const;
export type Operator = (typeof OPERATORS)[number];
export const EVENTS = ['Created', 'Updated', 'Deleted'] as const;
export type WebhookEvent = (typeof EVENTS)[number];
export const PAYLOAD_FORMATS = ['rally', 'record', 'ticket'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];
export const COMMUNICATION_METHODS = ['http', 'websocket'] as const;
export type CommunicationMethod = (typeof COMMUNICATION_METHODS)[number];
export const AUTHENTICATION_TYPES = ['Basic', 'OAuth2ClientCredentials', 'SignIn', 'Token'] as const;
export type AuthenticationType = (typeof AUTHENTICATION_TYPES)[number];
export const SIGN_IN_FLOWS = ['RemedyJwt', 'InnovationSuite', 'OAuth2Password'] as const;
export const TOKEN_SCHEMES = ['Bearer', 'AR-JWT'] as const;

export type ScalarValue = string | number | boolean;

export interface Expression {
  AttributeID?: string | null;
  AttributeName?: string | null;
  Operator: Operator;
  Value?: ScalarValue | ScalarValue[] | null;
}

export interface Authentication {
  Type: AuthenticationType;
  Username?: string;
  Password?: string;
  Flow?: (typeof SIGN_IN_FLOWS)[number];
  SignInUrl?: string;
  Scheme?: (typeof TOKEN_SCHEMES)[number];
  Token?: string;
  TokenUrl?: string;
  ClientId?: string;
  ClientSecret?: string;
  Scope?: string | null;
}

export interface RetryPolicy {
  MaxRetries?: number;
  InitialDelayMs?: number;
  BackoffMultiplier?: number;
  RetryOnStatus?: number[];
}

/** What the console writes: the main fields of every dialect. */
export interface WebhookBody {
  AppName: string;
  AppUrl: string;
  Name: string;
  TargetUrl: string;
  ObjectTypes?: string[];
  Events?: WebhookEvent[];
  Expressions?: Expression[];
  Condition?: string | null;
  Fields?: string[];
  PayloadFormat?: PayloadFormat;
  Headers?: Record<string, string>;
  Authentication?: Authentication | null;
  RetryPolicy?: RetryPolicy;
  IncludeAllFields?: boolean;
  CommunicationMethod?: CommunicationMethod;
  SharedSpace?: string | null;
  Disabled?: boolean;
}

export interface Webhook extends Required<
  Omit<WebhookBody, 'Authentication' | 'RetryPolicy' | 'Condition' | 'SharedSpace'>
> {
  ObjectUUID: string;
  SharedSpace: string | null;
  SubscriptionID: number;
  Condition: string | null;
  Authentication: Authentication | null;
  RetryPolicy: RetryPolicy;
  CreationDate: string;
  LastUpdateDate: string;
  FireCount: number | null;
  ErrorCount: number | null;
  LastStatus: number | null;
  LastWebhookResponseTime: number | null;
  LastSuccess: string | null;
  LastFailure: string | null;
  SigningSecret: string;
}

export interface Attempt {
  DeliveryID: string;
  Attempt: number;
  Time: string;
  Outcome: string;
  Status: number | null;
  LatencyMs: number;
  Error: string | null;
}

export interface FailedDelivery {
  DeliveryID: string;
  MessageID: string;
  FailedAt: string;
  LastStatus: number | null;
  Attempts: number;
  Error: string | null;
  ReplayCount: number;
  LastReplayAt: string | null;
}

export interface TestResult {
  DeliveryID: string;
  Outcome: string;
  Status: number | null;
  LatencyMs: number;
  ResponseExcerpt: string | null;
  Error: string | null;
}

export interface Breaker {
  Origin: string;
  State: string;
  InFlight: number;
  Waiting: number;
  Failures: number;
  Successes: number;
  OpenedAt: string | null;
  NextProbeAt: string | null;
  Parked: number;
}

export interface BlockedUrl {
  ID: string;
  Url: string;
  WebhookID: string | null;
  Reason: string;
  BlockedAt: string;
  Until: string | null;
  Count: number;
}

export interface TunnelSpace {
  SharedSpace: string;
  Listeners: { Id: string; KeyId: string; RemoteAddress: string; ConnectedAt: string; InFlight: number }[];
}

export interface ApiKey {
  KeyID: string;
  Name: string;
  Hint: string;
  Roles: Role[];
  SharedSpaces: string[];
  CreationDate: string;
  Revoked: boolean;
}

export interface Pipeline {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
}

export interface IncomingHook {
  id: string;
  pipeline_id: string;
  name: string;
  url: string;
  requires_secret: boolean;
  secret_header_name: string | null;
  secret: string | null;
  action_type: string;
  disabled: boolean;
  created_at: string;
}

export interface PipelineRun {
  id: string;
  hook_id: string;
  action_type: string;
  status: string;
  variables: Record<string, unknown>;
  received_at: string;
  finished_at: string | null;
  history: { status: string; at: string; message: string | null }[];
}

export interface WebhookListQuery {
  pagesize: number;
  start: number;
  order?: string;
  query?: string;
}

/** Called on every 401, so the session ends and the sign-in page shows in place. */
let onUnauthenticated: () => void = () => undefined;
let credential: string | null = null;

export function setCredential(key: string | null, unauthenticated: () => void): void {
  credential = key;
  onUnauthenticated = unauthenticated;
}

async function call<T>(method: string, path: string, body?: unknown, key: string | null = credential): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (parsed ?? {}) as { error?: string; message?: string; details?: FieldProblem[] };
    if (response.status === 401 && key === credential) onUnauthenticated();
    throw new ApiError(
      response.status,
      error.error ?? 'error',
      error.message ?? response.statusText,
      error.details ?? [],
    );
  }
  return parsed as T;
}

function search(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== '',
  );
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
}

const webhookPath = (id: string): string => `/api/v2/webhook/${encodeURIComponent(id)}`;

export const api = {
  /** Checks a key before it becomes the session's. */
  whoAmI: (key?: string) => call<Principal>('GET', '/api/v2/apikey/current', undefined, key ?? credential),
  /** Devopness's sign-in; sent without a credential, so a refusal does not end another session. */
  login: (email: string, password: string) =>
    call<{ access_token: string; token_type: string; expires_in: number }>(
      'POST',
      '/users/login',
      { email, password },
      '',
    ),
  webhooks: (q: WebhookListQuery) => call<Page<Webhook>>('GET', `/api/v2/webhook${search({ ...q })}`),
  webhook: (id: string) => call<Webhook>('GET', webhookPath(id)),
  createWebhook: (body: WebhookBody) => call<Webhook>('POST', '/api/v2/webhook', body),
  updateWebhook: (id: string, body: Partial<WebhookBody>) => call<Webhook>('PATCH', webhookPath(id), body),
  deleteWebhook: (id: string) => call<void>('DELETE', webhookPath(id)),
  rotateSigningSecret: (id: string) => call<Webhook>('POST', `${webhookPath(id)}/signing-secret`),
  testWebhook: (id: string) => call<TestResult>('POST', `${webhookPath(id)}/test`),
  attempts: (id: string, start = 1, pagesize = 20) =>
    call<Page<Attempt>>('GET', `${webhookPath(id)}/attempts${search({ start, pagesize })}`),
  failed: (id: string) => call<Page<FailedDelivery>>('GET', `${webhookPath(id)}/failed`),
  replay: (id: string, deliveryId: string) =>
    call<{ DeliveryID: string }>('POST', `${webhookPath(id)}/failed/${encodeURIComponent(deliveryId)}/replay`),
  pipelines: () => call<Pipeline[]>('GET', '/pipelines'),
  createPipeline: (body: { name: string; description?: string }) => call<Pipeline>('POST', '/pipelines', body),
  hooks: (pipelineId: string) => call<IncomingHook[]>('GET', `/pipelines/${encodeURIComponent(pipelineId)}/hooks`),
  createHook: (pipelineId: string, body: { name: string; action_type: string; requires_secret: boolean }) =>
    call<IncomingHook>('POST', `/pipelines/${encodeURIComponent(pipelineId)}/hooks/incoming`, body),
  runs: (pipelineId: string) => call<PipelineRun[]>('GET', `/pipelines/${encodeURIComponent(pipelineId)}/runs`),
  breakers: () => call<Page<Breaker>>('GET', '/api/v2/breakers'),
  blocklist: () => call<Page<BlockedUrl>>('GET', '/api/v2/blocklist'),
  unblock: (id: string) => call<void>('DELETE', `/api/v2/blocklist/${encodeURIComponent(id)}`),
  sessions: () => call<Page<TunnelSpace>>('GET', '/api/v2/sessions'),
  apiKeys: () => call<Page<ApiKey>>('GET', '/api/v2/apikey'),
  revokeApiKey: (id: string) => call<void>('DELETE', `/api/v2/apikey/${encodeURIComponent(id)}`),
};
