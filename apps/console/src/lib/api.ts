/**
 * Every call the console makes to Hookline, through the generated client (@hookline/client) on the
 * same origin (the front door routes each path to its service). Paths, bodies and answers are typed
 * from the merged OpenAPI document; this module only adds the session's key, the 401 that ends the
 * session, and errors thrown as `ApiError`.
 */
import { createHooklineClient, type HooklineClient, type paths, type Schema } from '@hookline/client';

export type Role = Schema<'CurrentPrincipalDto'>['Roles'][number];
export type FieldProblem = Schema<'FieldProblemDto'>;
export type Principal = Schema<'CurrentPrincipalDto'>;
export type Expression = Schema<'ExpressionDto'>;
export type Operator = Expression['Operator'];
export type ScalarValue = Exclude<NonNullable<Expression['Value']>, unknown[]>;
export type Authentication = Schema<'AuthenticationDto'>;
export type AuthenticationType = Authentication['Type'];
export type RetryPolicy = Schema<'RetryPolicyDto'>;
/** What the console writes. */
export type WebhookBody = Schema<'CreateWebhookDto'>;
export type WebhookUpdate = Schema<'UpdateWebhookDto'>;
export type WebhookEvent = NonNullable<WebhookBody['Events']>[number];
export type PayloadFormat = NonNullable<WebhookBody['PayloadFormat']>;
export type CommunicationMethod = NonNullable<WebhookBody['CommunicationMethod']>;
export type Webhook = Schema<'WebhookResponseDto'>;
export type Attempt = Schema<'AttemptResponseDto'>;
export type FailedDelivery = Schema<'FailedDeliveryResponseDto'>;
export type TestResult = Schema<'TestDeliveryResponseDto'>;
export type Breaker = Schema<'BreakerDto'>;
export type BlockedUrl = Schema<'BlockedUrlResponseDto'>;
export type TunnelSpace = Schema<'SpaceSessionsResponse'>;
export type ApiKey = Schema<'ApiKeyResponseDto'>;
export type Pipeline = Schema<'PipelineResponse'>;
export type IncomingHook = Schema<'HookResponse'>;
export type PipelineRun = Schema<'RunResponse'>;
export type User = Schema<'UserResponseDto'>;
export type DeliveryOverview = Schema<'DeliveryOverviewDto'>;
export type NewUser = Schema<'CreateUserDto'>;
export type SnapshotChange = Schema<'SnapshotChangeInputDto'>;
export type NewApiKey = Schema<'CreateApiKeyDto'>;
export type CreatedApiKey = Schema<'CreatedApiKeyResponseDto'>;
export type DraftMatch = Schema<'DraftMatchDto'>;
export type DraftRules = DraftMatch['Webhook'];
export type SampleChange = DraftMatch['Change'];
export type ChangeAction = SampleChange['action'];
export type PortalLink = Schema<'PortalLinkResponseDto'>;
export type CreatedPortalLink = Schema<'CreatedPortalLinkResponseDto'>;
export type NewPortalLink = Schema<'CreatePortalLinkDto'>;
export type Portal = Schema<'PortalDto'>;
export type PortalScope = Portal['Scope'];
export type WebhookListQuery = NonNullable<paths['/api/v2/webhook']['get']['parameters']['query']>;

/** The choices the forms offer, checked against the document's enums. */
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
] as const satisfies readonly Operator[];
export const ROLES = ['admin', 'integration', 'read-only'] as const satisfies readonly Role[];
export const PORTAL_SCOPES = ['read-only', 'manage-webhooks'] as const satisfies readonly PortalScope[];
export const EVENTS = ['Created', 'Updated', 'Deleted'] as const satisfies readonly WebhookEvent[];
export const CHANGE_ACTIONS = ['Created', 'Updated', 'Deleted'] as const satisfies readonly ChangeAction[];
export const PAYLOAD_FORMATS = ['rally', 'record', 'ticket'] as const satisfies readonly PayloadFormat[];
export const COMMUNICATION_METHODS = ['http', 'websocket'] as const satisfies readonly CommunicationMethod[];
export const AUTHENTICATION_TYPES = [
  'Basic',
  'OAuth2ClientCredentials',
  'SignIn',
  'Token',
] as const satisfies readonly AuthenticationType[];
export const SIGN_IN_FLOWS = ['RemedyJwt', 'InnovationSuite', 'OAuth2Password'] as const satisfies readonly NonNullable<
  Authentication['Flow']
>[];
export const TOKEN_SCHEMES = ['Bearer', 'AR-JWT'] as const satisfies readonly NonNullable<Authentication['Scheme']>[];

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

  /** The body's `error` field (the stable code). */
  get error(): string {
    return this.code;
  }
}

/** Called on every 401, so the session ends and the sign-in page shows in place. */
let onUnauthenticated: () => void = () => undefined;
let credential: string | null = null;

export function setCredential(key: string | null, unauthenticated: () => void): void {
  credential = key;
  onUnauthenticated = unauthenticated;
}

/** The page's origin; a placeholder where there is none (unit tests), so URLs stay absolute. */
function origin(): string {
  return globalThis.location?.origin ?? 'http://localhost';
}

/** What openapi-fetch answers: the parsed body, or the parsed error body, and the response. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Makes one call with a client for `key` (the session's by default, none when empty) and returns
 * its answer's body, or throws the error body as an `ApiError`.
 */
async function call<T>(
  send: (client: HooklineClient) => Promise<Answer<T>>,
  key: string | null = credential,
): Promise<T> {
  const client = createHooklineClient({
    baseUrl: origin(),
    token: key || undefined,
    fetch: (request) => globalThis.fetch(request),
  });
  const { data, error, response } = await send(client);
  if (!response.ok) {
    const body = (typeof error === 'object' && error !== null ? error : {}) as Partial<Schema<'ErrorResponseDto'>>;
    if (response.status === 401 && key === credential) onUnauthenticated();
    throw new ApiError(response.status, body.error ?? 'error', body.message ?? response.statusText, body.details ?? []);
  }
  return data as T;
}

/** The list query without empty values, which the services would read as filters. */
function present<Q extends object>(query: Q): Q {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== '')) as Q;
}

const webhook = (id: string) => ({ params: { path: { id } } });
const pipeline = (pipeline_id: string) => ({ params: { path: { pipeline_id } } });

export const api = {
  /** Checks a key before it becomes the session's. */
  whoAmI: (key?: string) => call((c) => c.GET('/api/v2/apikey/current'), key ?? credential),
  /** Devopness's sign-in; sent without a credential, so a refusal does not end another session. */
  login: (email: string, password: string) => call((c) => c.POST('/users/login', { body: { email, password } }), ''),
  webhooks: (q: WebhookListQuery) => call((c) => c.GET('/api/v2/webhook', { params: { query: present(q) } })),
  webhook: (id: string) => call((c) => c.GET('/api/v2/webhook/{id}', webhook(id))),
  createWebhook: (body: WebhookBody) => call((c) => c.POST('/api/v2/webhook', { body })),
  updateWebhook: (id: string, body: WebhookUpdate) =>
    call((c) => c.PATCH('/api/v2/webhook/{id}', { ...webhook(id), body })),
  deleteWebhook: (id: string) => call<void>((c) => c.DELETE('/api/v2/webhook/{id}', webhook(id))),
  rotateSigningSecret: (id: string) => call((c) => c.POST('/api/v2/webhook/{id}/signing-secret', webhook(id))),
  testWebhook: (id: string) => call((c) => c.POST('/api/v2/webhook/{id}/test', webhook(id))),
  attempts: (id: string, start = 1, pagesize = 20) =>
    call((c) => c.GET('/api/v2/webhook/{id}/attempts', { params: { path: { id }, query: { start, pagesize } } })),
  failed: (id: string) => call((c) => c.GET('/api/v2/webhook/{id}/failed', webhook(id))),
  replay: (id: string, deliveryId: string) =>
    call((c) => c.POST('/api/v2/webhook/{id}/failed/{deliveryId}/replay', { params: { path: { id, deliveryId } } })),
  /** The matcher's verdict on unsaved filters for a sample change. */
  dryRun: (body: DraftMatch) => call((c) => c.POST('/api/v2/match/draft', { body })),
  pipelines: () => call((c) => c.GET('/pipelines')),
  createPipeline: (body: Schema<'CreatePipelineDto'>) => call((c) => c.POST('/pipelines', { body })),
  hooks: (pipelineId: string) => call((c) => c.GET('/pipelines/{pipeline_id}/hooks', pipeline(pipelineId))),
  createHook: (pipelineId: string, body: Schema<'CreateHookDto'>) =>
    call((c) => c.POST('/pipelines/{pipeline_id}/hooks/incoming', { ...pipeline(pipelineId), body })),
  runs: (pipelineId: string) => call((c) => c.GET('/pipelines/{pipeline_id}/runs', pipeline(pipelineId))),
  breakers: () => call((c) => c.GET('/api/v2/breakers')),
  blocklist: () => call((c) => c.GET('/api/v2/blocklist')),
  unblock: (id: string) => call<void>((c) => c.DELETE('/api/v2/blocklist/{id}', { params: { path: { id } } })),
  sessions: () => call((c) => c.GET('/api/v2/sessions')),
  overview: (minutes = 60) => call((c) => c.GET('/api/v2/overview', { params: { query: { minutes } } })),
  users: () => call((c) => c.GET('/api/v2/users')),
  sendChange: (body: SnapshotChange) => call((c) => c.POST('/api/v2/changes', { body })),
  createUser: (body: NewUser) => call((c) => c.POST('/api/v2/users', { body })),
  setUserRoles: (id: string, roles: Role[]) =>
    call((c) => c.PATCH('/api/v2/users/{id}', { params: { path: { id } }, body: { Roles: roles } })),
  disableUser: (id: string) => call<void>((c) => c.DELETE('/api/v2/users/{id}', { params: { path: { id } } })),
  apiKeys: () => call((c) => c.GET('/api/v2/apikey')),
  createApiKey: (body: NewApiKey) => call((c) => c.POST('/api/v2/apikey', { body })),
  /** What a portal link shows: its tenant, scope and branding. */
  portal: () => call((c) => c.GET('/api/v2/portal')),
  portalLinks: () => call((c) => c.GET('/api/v2/portal-links')),
  createPortalLink: (body: NewPortalLink) => call((c) => c.POST('/api/v2/portal-links', { body })),
  revokePortalLink: (id: string) =>
    call<void>((c) => c.DELETE('/api/v2/portal-links/{id}', { params: { path: { id } } })),
  revokeApiKey: (id: string) => call<void>((c) => c.DELETE('/api/v2/apikey/{id}', { params: { path: { id } } })),
};
