/**
 * The registry's rules for what a webhook may say: expression operators and values (Rally seed),
 * the BMC condition syntax, headers, and the defaults of the extension fields. Everything that
 * checks an Expression or a Condition lives here; the condition syntax is @hookline/matching's.
 */
import {
  ConditionSyntaxError,
  DIALECT_DEFAULTS,
  DIALECTS,
  LIST_OPERATORS,
  OPERATORS,
  parseCondition,
  PAYLOAD_FORMATS,
  SCALAR_OPERATORS,
  VALUELESS_OPERATORS,
  WEBHOOK_EVENTS,
  type Dialect,
  type Operator,
  type PayloadFormat,
  type WebhookEventType as WebhookEventName,
  type WebhookTrigger,
} from '@hookline/matching';
import { isDeepStrictEqual } from 'node:util';
import type { FieldProblem } from '@hookline/service-kit';
import type { WebhookBodyDto } from './dto/webhook-request.dto';
import type { WebhookResponse } from './dto/webhook-response.dto';
import { headerValueProblem } from './header-safe';
import type { WebhookRecord } from './webhook.schema';

// The matcher's lists: what the registry accepts always compiles and renders there.
export {
  DIALECT_DEFAULTS,
  DIALECTS,
  LIST_OPERATORS,
  OPERATORS,
  PAYLOAD_FORMATS,
  SCALAR_OPERATORS,
  VALUELESS_OPERATORS,
  WEBHOOK_EVENTS,
  type Dialect,
  type Operator,
  type PayloadFormat,
  type WebhookEventName,
  type WebhookTrigger,
};

export const COMMUNICATION_METHODS = ['http', 'websocket'] as const;
export type CommunicationMethod = (typeof COMMUNICATION_METHODS)[number];

/** BMC's retry list; the default RetryPolicy retries these three times with growing delays. */
export const DEFAULT_RETRY_ON_STATUS = [408, 409, 425, 429, 502, 503, 504];
export const DEFAULT_RETRY_POLICY = {
  MaxRetries: 3,
  InitialDelayMs: 1_000,
  BackoffMultiplier: 4,
  RetryOnStatus: DEFAULT_RETRY_ON_STATUS,
};

export const MAX_LIST_VALUES = 1_000;

type Scalar = string | number | boolean;

function isScalar(value: unknown): value is Scalar {
  return (
    typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
  );
}

/** Why an expression's Value does not fit its Operator, or undefined when it does. */
export function expressionValueProblem(operator: unknown, value: unknown): string | undefined {
  const present = value !== undefined && value !== null;
  if ((VALUELESS_OPERATORS as readonly unknown[]).includes(operator)) {
    return present ? `Value must be absent for operator ${String(operator)}` : undefined;
  }
  if ((LIST_OPERATORS as readonly unknown[]).includes(operator)) {
    if (!Array.isArray(value) || value.length === 0)
      return `Value must be a non-empty array for operator ${String(operator)}`;
    if (value.length > MAX_LIST_VALUES) return `Value must have at most ${MAX_LIST_VALUES} items`;
    return value.every(isScalar) ? undefined : 'Value items must be strings, numbers or booleans';
  }
  if ((SCALAR_OPERATORS as readonly unknown[]).includes(operator)) {
    if (!present) return `Value is required for operator ${String(operator)}`;
    return isScalar(value) ? undefined : `Value must be a string, number or boolean for operator ${String(operator)}`;
  }
  // An unknown operator is reported on Operator itself.
  return undefined;
}

/** Why the attribute reference is wrong (exactly one of AttributeID/AttributeName), or undefined. */
export function expressionAttributeProblem(attributeId: unknown, attributeName: unknown): string | undefined {
  const hasId = attributeId !== undefined && attributeId !== null;
  const hasName = attributeName !== undefined && attributeName !== null;
  if (hasId === hasName) return 'exactly one of AttributeID or AttributeName must be given';
  return undefined;
}

// ---- BMC condition syntax -------------------------------------------------------------------

export { ConditionSyntaxError };

/**
 * Throws ConditionSyntaxError (with the 0-based position) when the condition does not parse.
 * The matcher's own parser decides, so a condition the registry accepts always compiles there.
 */
export function checkConditionSyntax(source: string): void {
  parseCondition(source);
}

// ---- Headers ----------------------------------------------------------------------------------

export const MAX_HEADERS = 20;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the dispatcher sets itself; a webhook overriding them would break delivery or signing. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'x-hookline-security',
]);

/** Every problem with a Headers map, named `Headers.<name>`. */
export function headerProblems(headers: unknown): FieldProblem[] {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    return [{ field: 'Headers', reason: 'Headers must be an object of header names to string values' }];
  }
  const entries = Object.entries(headers as Record<string, unknown>);
  const problems: FieldProblem[] = [];
  if (entries.length > MAX_HEADERS)
    problems.push({ field: 'Headers', reason: `Headers must have at most ${MAX_HEADERS} entries` });
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    const field = `Headers.${name}`;
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) problems.push({ field, reason: 'is not a valid HTTP header name' });
    else if (RESERVED_HEADERS.has(lower))
      problems.push({ field, reason: 'is set by Hookline and cannot be overridden' });
    else if (seen.has(lower)) problems.push({ field, reason: 'is given twice (header names are case-insensitive)' });
    seen.add(lower);
    const unsafe = typeof value === 'string' ? headerValueProblem(value) : undefined;
    if (typeof value !== 'string') problems.push({ field, reason: 'value must be a string' });
    else if (unsafe) problems.push({ field, reason: `value ${unsafe}` });
    else if (value.length > 4_096) problems.push({ field, reason: 'value must be at most 4096 characters' });
  }
  return problems;
}

/** The parts of a whole webhook definition that depend on more than one field. */
export interface CrossFieldView {
  CommunicationMethod: CommunicationMethod;
  SharedSpace: string | null;
  headerNames: string[];
  hasAuthentication: boolean;
}

export function crossFieldProblems(view: CrossFieldView): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (view.CommunicationMethod === 'websocket' && !view.SharedSpace) {
    problems.push({ field: 'SharedSpace', reason: 'SharedSpace is required when CommunicationMethod is websocket' });
  }
  if (view.hasAuthentication && view.headerNames.some((name) => name.toLowerCase() === 'authorization')) {
    problems.push({ field: 'Headers.Authorization', reason: 'cannot be set together with Authentication' });
  }
  return problems;
}

// ---- Dialects and read-only fields ----------------------------------------------------------

/**
 * The dialect a create body that names none implies: ChangeGear's for Triggers (its module and
 * event combinations) or its bare ticket, BMC's for its flat record, else Rally's.
 */
export function impliedDialect(body: Pick<WebhookBodyDto, 'Triggers' | 'PayloadFormat'>): Dialect {
  if ((body.Triggers?.length ?? 0) > 0 || body.PayloadFormat === 'ticket') return 'changegear';
  if (body.PayloadFormat === 'record') return 'bmc';
  return 'rally';
}

/** Read-only fields a PATCH may send back as GET showed them; compared with the stored webhook. */
const IDENTITY_FIELDS = [
  'ObjectUUID',
  '_ref',
  '_type',
  '_objectVersion',
  'CreationDate',
  'LastUpdateDate',
  'SubscriptionID',
  'SigningSecret',
] as const;
/** Read-only stats: they change with every delivery, so a copy read a moment ago may be behind. */
const STATS_FIELDS = [
  'FireCount',
  'ErrorCount',
  'LastStatus',
  'LastWebhookResponseTime',
  'LastSuccess',
  'LastFailure',
] as const;

/**
 * The read-only fields a PATCH body sends that differ from the webhook as GET shows it (`shown`).
 * `_ref` may have been read under either API prefix or origin: it must name this webhook. Stats
 * sent with a FireCount no higher than the stored one are a copy read before later deliveries.
 */
export function readOnlyProblems(body: WebhookBodyDto, current: WebhookRecord, shown: WebhookResponse): FieldProblem[] {
  const sent = body as unknown as Record<string, unknown>;
  const fired = body.FireCount;
  const staleStats =
    fired === null || (typeof fired === 'number' && Number.isInteger(fired) && fired <= current.FireCount);
  const problems: FieldProblem[] = [];
  for (const field of [...IDENTITY_FIELDS, ...STATS_FIELDS]) {
    const value = sent[field];
    if (value === undefined || isDeepStrictEqual(value, shown[field])) continue;
    if (field === '_ref' && typeof value === 'string' && value.endsWith(`/webhook/${current._id}`)) continue;
    if ((STATS_FIELDS as readonly string[]).includes(field) && staleStats) continue;
    problems.push({
      field,
      reason: `${field} is read-only: leave it out or send it as stored (${JSON.stringify(shown[field])})`,
    });
  }
  return problems;
}
