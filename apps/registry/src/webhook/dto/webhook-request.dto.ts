import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ValidateIf, ValidateNested } from 'class-validator';
import {
  CLIENT_AUTH_METHODS,
  SIGN_IN_FLOWS,
  TOKEN_SCHEMES,
  type ClientAuthMethod,
  type SignInFlow,
  type TokenScheme,
} from '@hookline/contracts';
import {
  checkConditionSyntax,
  COMMUNICATION_METHODS,
  ConditionSyntaxError,
  DIALECTS,
  expressionAttributeProblem,
  expressionValueProblem,
  headerProblems,
  OPERATORS,
  PAYLOAD_FORMATS,
  WEBHOOK_EVENTS,
  type CommunicationMethod,
  type Dialect,
  type Operator,
  type PayloadFormat,
  type WebhookEventName,
  type WebhookTrigger,
} from '../webhook.rules';
import {
  boolean,
  Check,
  documented,
  Field,
  httpUrl,
  integer,
  oneOf,
  OptionalInDocument,
  ReadOnly,
  safeText,
  stringList,
  text,
  type PresenceAware,
  type Rule,
} from '../../validation/check';
import { basicUsernameProblem, credentialProblem, headerValueProblem } from '../header-safe';

const attributeRef: Rule = (value, _object, property) =>
  value === undefined || value === null ? undefined : text(256)(value, _object, property);

/** One Rally expression: an attribute (by id or name), an operator, and a Value fitting the operator. */
export class ExpressionDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Attribute UUID (Rally); give it or AttributeName.',
  })
  @Check(attributeRef)
  AttributeID?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 256,
    description: 'Attribute name, e.g. PlanEstimate.',
  })
  @Check(
    (value, object, property) =>
      attributeRef(value, object, property) ?? expressionAttributeProblem(object.AttributeID, value),
  )
  AttributeName?: string | null;

  @ApiProperty({ enum: OPERATORS })
  @Check(oneOf(OPERATORS))
  Operator: Operator;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: {} }],
    description: 'A string, number or boolean; a list for `in`/`!in`/`between`; none for `exists`/`!exists`.',
  })
  @Check((value, object) => expressionValueProblem(object.Operator, value))
  Value?: unknown;
}

export const AUTHENTICATION_TYPES = ['Basic', 'OAuth2ClientCredentials', 'SignIn', 'Token'] as const;
export type AuthenticationType = (typeof AUTHENTICATION_TYPES)[number];

/** A field used by some authentication types only: required with them, refused with the others. */
const forType =
  (types: AuthenticationType | AuthenticationType[], rule: Rule, optional = false): Rule =>
  (value, object, property) => {
    const list = Array.isArray(types) ? types : [types];
    const named = `Type ${list.join(' or ')}`;
    if (!list.includes(object.Type as AuthenticationType))
      return value === undefined ? undefined : `${property} is only used with ${named}`;
    if (value === undefined || value === null) return optional ? undefined : `${property} is required with ${named}`;
    return rule(value, object, property);
  };

/**
 * Credentials the dispatcher uses: HTTP Basic (Octane, ChangeGear), OAuth2 client credentials, a
 * sign-in with username and password whose token is then sent, or a fixed token (BMC).
 */
export class AuthenticationDto {
  @ApiProperty({ enum: AUTHENTICATION_TYPES, description: 'Which of the fields below apply.' })
  @Check(oneOf(AUTHENTICATION_TYPES))
  Type: AuthenticationType;

  @ApiPropertyOptional({ maxLength: 256, description: 'Basic and SignIn.' })
  @Check(forType(['Basic', 'SignIn'], safeText(256, basicUsernameProblem)))
  Username?: string;

  @ApiPropertyOptional({
    maxLength: 1_024,
    format: 'password',
    description: 'Basic and SignIn; stored encrypted, shown masked.',
  })
  @Check(forType(['Basic', 'SignIn'], safeText(1_024, credentialProblem)))
  Password?: string;

  @ApiPropertyOptional({ enum: SIGN_IN_FLOWS, description: 'SignIn.' })
  @Check(forType('SignIn', oneOf(SIGN_IN_FLOWS)))
  Flow?: SignInFlow;

  @ApiPropertyOptional({ format: 'uri', description: 'SignIn.' })
  @Check(forType('SignIn', httpUrl))
  SignInUrl?: string;

  @ApiPropertyOptional({ enum: TOKEN_SCHEMES, description: 'Token.' })
  @Check(forType('Token', oneOf(TOKEN_SCHEMES)))
  Scheme?: TokenScheme;

  @ApiPropertyOptional({ maxLength: 4_096, format: 'password', description: 'Token; stored encrypted, shown masked.' })
  @Check(forType('Token', safeText(4_096, headerValueProblem)))
  Token?: string;

  @ApiPropertyOptional({ format: 'uri', description: 'OAuth2ClientCredentials.' })
  @Check(forType('OAuth2ClientCredentials', httpUrl))
  TokenUrl?: string;

  @ApiPropertyOptional({ maxLength: 256, description: 'OAuth2ClientCredentials.' })
  @Check(forType('OAuth2ClientCredentials', safeText(256, credentialProblem)))
  ClientId?: string;

  @ApiPropertyOptional({
    maxLength: 1_024,
    format: 'password',
    description: 'OAuth2ClientCredentials; stored encrypted.',
  })
  @Check(forType('OAuth2ClientCredentials', safeText(1_024, credentialProblem)))
  ClientSecret?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1_024, description: 'OAuth2ClientCredentials.' })
  @Check(forType('OAuth2ClientCredentials', text(1_024), true))
  Scope?: string | null;

  /** Absent or null means `client_secret_basic`, what every token URL must accept (RFC 6749 §2.3.1). */
  @ApiPropertyOptional({ enum: CLIENT_AUTH_METHODS, nullable: true, description: 'OAuth2ClientCredentials.' })
  @Check(forType('OAuth2ClientCredentials', oneOf(CLIENT_AUTH_METHODS), true))
  ClientAuthMethod?: ClientAuthMethod | null;
}

const optional =
  (rule: Rule): Rule =>
  (value, object, property) =>
    value === undefined ? undefined : rule(value, object, property);

/** Retries after a failed attempt; every field falls back to the default policy. */
export class RetryPolicyDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 10, description: 'Retries after the first attempt.' })
  @Check(optional(integer(0, 10)))
  MaxRetries?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 100, maximum: 3_600_000, description: 'First retry delay, in ms.' })
  @Check(optional(integer(100, 3_600_000)))
  InitialDelayMs?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, description: 'Each retry waits this many times longer.' })
  @Check(
    optional((value, _object, property) =>
      typeof value === 'number' && value >= 1 && value <= 10 ? undefined : `${property} must be a number from 1 to 10`,
    ),
  )
  BackoffMultiplier?: number;

  @ApiPropertyOptional({
    type: 'integer',
    isArray: true,
    maxItems: 50,
    description: 'HTTP statuses (400-599) that are retried; 408, 409, 425, 429, 502, 503, 504 by default.',
  })
  @Check(
    optional((value, _object, property) =>
      Array.isArray(value) &&
      value.length <= 50 &&
      value.every((code) => Number.isInteger(code) && code >= 400 && code <= 599)
        ? undefined
        : `${property} must be an array of at most 50 HTTP status codes from 400 to 599`,
    ),
  )
  RetryOnStatus?: number[];
}

// Sent as a request header (see the dispatcher's prepared-delivery.ts).
const security: Rule = documented(
  (value, object, property) =>
    safeText(40, headerValueProblem)(value, object, property) ??
    ((value as string).includes('"') ? `${property} must not contain a double quote (")` : undefined),
  { type: String, maxLength: 40 },
);

const uuid: Rule = documented(
  (value, _object, property) =>
    typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
      ? undefined
      : `${property} must be a UUID`,
  { type: String, format: 'uuid' },
);

/**
 * Whether the body itself says when the webhook fires, through the fields the other seeds use
 * instead of Rally's Expressions: Events (ChangeGear's module events, BMC's record events) or a
 * Condition (BMC). Such a body may leave Expressions out or send [].
 */
const firesByEventsOrCondition = (object: Record<string, unknown>): boolean =>
  object.Events !== undefined ||
  object.Triggers !== undefined ||
  (typeof object.Condition === 'string' && object.Condition.trim().length > 0);

/**
 * Rally requires one or more Expressions, and a Rally-shaped body still does. A body that sends
 * Events or a Condition may omit them (create) or clear them with [] (both): a ChangeGear webhook
 * is just modules and events, a BMC one a record definition, events and an optional condition.
 */
const expressions: Rule = (value, object, property) => {
  const optional = firesByEventsOrCondition(object);
  if (value === undefined) {
    const creating = (object as unknown as Partial<PresenceAware>).requiresAll?.() ?? true;
    return creating && !optional ? `${property} is required unless Events or Condition is given` : undefined;
  }
  if (value === null) return `${property} must not be null`;
  if (Array.isArray(value) && value.length <= 100 && (value.length >= 1 || optional)) return undefined;
  return optional
    ? `${property} must be an array of at most 100 expressions`
    : `${property} must be an array of 1 to 100 expressions (or none, when Events or Condition is given)`;
};

/** A BMC condition: text that parses. */
export const condition: Rule = documented(conditionRule, { type: String, maxLength: 4_096 });

function conditionRule(value: unknown, object: Record<string, unknown>, property: string): string | undefined {
  const problem = text(4_096)(value, object, property);
  if (problem) return problem;
  try {
    checkConditionSyntax(value as string);
    return undefined;
  } catch (err) {
    if (err instanceof ConditionSyntaxError)
      return `${property} has a syntax error: ${err.message} at position ${err.position}`;
    throw err;
  }
}

/** ChangeGear's combinations of module and event: `[{ "ObjectType": "Incident", "Event": "Created" }]`. */
const triggersRule: Rule = (value, _object, property) => {
  if (!Array.isArray(value) || value.length > MAX_TRIGGERS)
    return `${property} must be an array of at most ${MAX_TRIGGERS} { ObjectType, Event } pairs`;
  const seen = new Set<string>();
  for (const [i, trigger] of value.entries()) {
    const at = `${property}[${i}]`;
    if (typeof trigger !== 'object' || trigger === null || Array.isArray(trigger))
      return `${at} must be an object with ObjectType and Event`;
    const extra = Object.keys(trigger).find((key) => key !== 'ObjectType' && key !== 'Event');
    if (extra !== undefined) return `${at}.${extra} is not a trigger field (ObjectType, Event)`;
    const problem =
      text(256)(trigger.ObjectType, trigger, `${at}.ObjectType`) ??
      oneOf(WEBHOOK_EVENTS)(trigger.Event, trigger, `${at}.Event`);
    if (problem) return problem;
    const key = `${(trigger.ObjectType as string).toLowerCase()}\n${trigger.Event as string}`;
    if (seen.has(key)) return `${at} repeats an earlier trigger`;
    seen.add(key);
  }
  return undefined;
};
const MAX_TRIGGERS = 100;
const triggers = documented(triggersRule, {
  type: 'array',
  maxItems: MAX_TRIGGERS,
  items: {
    type: 'object',
    required: ['ObjectType', 'Event'],
    properties: {
      ObjectType: { type: 'string', maxLength: 256 },
      Event: { type: 'string', enum: [...WEBHOOK_EVENTS] },
    },
  },
});

/** Attribute names or ids; BMC's field ids may be numbers, kept as numbers. */
const fieldIds: Rule = documented(
  (value, object, property) => {
    const texts = Array.isArray(value) ? value.map((id) => (Number.isInteger(id) && id >= 0 ? String(id) : id)) : value;
    return stringList(500, 256)(texts, object, property);
  },
  {
    type: 'array',
    maxItems: 500,
    items: {
      oneOf: [
        { type: 'string', maxLength: 256 },
        { type: 'integer', minimum: 0 },
      ],
    },
  },
);

const headers: Rule = documented(
  (value) => {
    const problems = headerProblems(value);
    return problems.length === 0
      ? undefined
      : problems.map((p) => (p.field === 'Headers' ? p.reason : `${p.field} ${p.reason}`)).join('; ');
  },
  { type: 'object', additionalProperties: { type: 'string' } },
);

const sharedSpace: Rule = documented(
  (value, _object, property) =>
    typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)
      ? undefined
      : `${property} must be 1 to 64 letters, digits, '-' or '_'`,
  { type: String, pattern: '^[A-Za-z0-9_-]{1,64}$' },
);

/**
 * The writable fields of a webhook (Rally attributes plus the extensions from the other seeds),
 * shared by create and PATCH; the subclass says whether the required fields must be present.
 */
export abstract class WebhookBodyDto implements PresenceAware {
  abstract requiresAll(): boolean;

  @Field('required', text(256), 'Name of the integrating application.') AppName?: string;
  @Field('required', text(2_048), 'URL of the integrating application.') AppUrl?: string;
  @Field('required', text(256)) Name?: string;
  @Field('required', httpUrl, 'Where deliveries are POSTed; HTTPS on a public address unless the operator allows more.')
  TargetUrl?: string;

  @ApiPropertyOptional({
    type: [ExpressionDto],
    maxItems: 100,
    description: 'All must hold (AND). Required, 1 to 100, unless Events, Triggers or Condition is given.',
  })
  // ValidateIf keeps the nested check off null, and with it every check here: WebhookService refuses null.
  @Check(expressions)
  @ValidateIf((_object, value) => value !== null)
  @ValidateNested({ each: true })
  @Type(() => ExpressionDto)
  Expressions?: ExpressionDto[];

  @Field('optional', stringList(50, 256), 'Object types it fires for (Rally ObjectTypes); empty: all.')
  ObjectTypes?: string[];
  @Field('nullable', text(256)) CreatedBy?: string | null;
  @Field('optional', uuid) OwnerID?: string;
  @Field('optional', boolean, 'A disabled webhook is kept but never fires.') Disabled?: boolean;
  @Field('nullable', security, 'Sent back to the receiver in X-Hookline-Security (Rally).') Security?: string | null;

  @Field('optional', stringList(3, 16, { minItems: 1, allowed: WEBHOOK_EVENTS }), 'Fire on these events only.')
  Events?: WebhookEventName[];
  @Field('optional', triggers, 'Pairs of object type and event (ChangeGear modules and events).')
  Triggers?: WebhookTrigger[];
  @Field('nullable', condition, 'BMC condition, e.g. `${webhookContext.536870913} = "High"`.')
  Condition?: string | null;
  @Field('optional', fieldIds, 'Extra fields to send in the payload (names, or BMC field ids as numbers).')
  Fields?: (string | number)[];
  @Field('optional', boolean, 'Send every field of the record.') IncludeAllFields?: boolean;
  @Field('optional', oneOf(PAYLOAD_FORMATS), 'Payload shape: Rally {rule, message}, a flat record, or a ticket.')
  PayloadFormat?: PayloadFormat;
  /** Null only as GET shows a webhook stored before dialects, sent back unchanged. */
  @Field(
    'nullable',
    oneOf(DIALECTS),
    'The product whose defaults apply (PayloadFormat, IncludeAllFields): rally, octane, bmc or changegear.',
  )
  Dialect?: Dialect | null;
  @Field('optional', headers, 'Headers sent with each delivery; stored encrypted, shown masked.')
  Headers?: Record<string, string>;

  @ApiPropertyOptional({ type: AuthenticationDto, nullable: true, description: 'Credentials sent to the receiver.' })
  @ValidateIf((_object, value) => value !== null && value !== undefined)
  @ValidateNested()
  @Type(() => AuthenticationDto)
  Authentication?: AuthenticationDto | null;

  @Field('optional', oneOf(COMMUNICATION_METHODS), '`websocket`: delivered through a listener’s tunnel.')
  CommunicationMethod?: CommunicationMethod;
  @Field('nullable', sharedSpace, 'The tunnel’s shared space, with CommunicationMethod websocket.')
  SharedSpace?: string | null;

  @ApiPropertyOptional({ type: RetryPolicyDto, description: 'Retries after a failed attempt; defaults per field.' })
  @Field('optional', (value, _object, property) =>
    typeof value === 'object' && !Array.isArray(value) ? undefined : `${property} must be an object`,
  )
  @ValidateIf((_object, value) => value !== null && value !== undefined)
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  RetryPolicy?: RetryPolicyDto;

  // Maintained by Hookline; named here so a client sending them learns why they are refused.
  @ReadOnly() ObjectUUID?: unknown;
  @ReadOnly() _ref?: unknown;
  @ReadOnly() _type?: unknown;
  @ReadOnly() _objectVersion?: unknown;
  @ReadOnly() CreationDate?: unknown;
  @ReadOnly() LastUpdateDate?: unknown;
  @ReadOnly() SubscriptionID?: unknown;
  @ReadOnly() FireCount?: unknown;
  @ReadOnly() ErrorCount?: unknown;
  @ReadOnly() LastStatus?: unknown;
  @ReadOnly() LastWebhookResponseTime?: unknown;
  @ReadOnly() LastSuccess?: unknown;
  @ReadOnly() LastFailure?: unknown;
  @ReadOnly() SigningSecret?: unknown;
}

/** `POST /webhook`: AppName, AppUrl, Name, TargetUrl and Expressions are required. */
export class CreateWebhookDto extends WebhookBodyDto {
  requiresAll(): boolean {
    return true;
  }
}

/** `PATCH /webhook/{id}`: only the fields sent change; arrays and objects are replaced whole. */
@OptionalInDocument()
export class UpdateWebhookDto extends WebhookBodyDto {
  requiresAll(): boolean {
    return false;
  }
}
