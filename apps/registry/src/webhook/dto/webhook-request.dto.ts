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
  Field,
  httpUrl,
  integer,
  oneOf,
  ReadOnly,
  safeText,
  stringList,
  text,
  type PresenceAware,
  type Rule,
} from './check';
import { basicUsernameProblem, credentialProblem, headerValueProblem } from '../header-safe';

const attributeRef: Rule = (value, _object, property) =>
  value === undefined || value === null ? undefined : text(256)(value, _object, property);

/** One Rally expression: an attribute (by id or name), an operator, and a Value fitting the operator. */
export class ExpressionDto {
  @Check(attributeRef)
  AttributeID?: string | null;

  @Check(
    (value, object, property) =>
      attributeRef(value, object, property) ?? expressionAttributeProblem(object.AttributeID, value),
  )
  AttributeName?: string | null;

  @Check(oneOf(OPERATORS))
  Operator: Operator;

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
  @Check(oneOf(AUTHENTICATION_TYPES))
  Type: AuthenticationType;

  @Check(forType(['Basic', 'SignIn'], safeText(256, basicUsernameProblem)))
  Username?: string;

  @Check(forType(['Basic', 'SignIn'], safeText(1_024, credentialProblem)))
  Password?: string;

  @Check(forType('SignIn', oneOf(SIGN_IN_FLOWS)))
  Flow?: SignInFlow;

  @Check(forType('SignIn', httpUrl))
  SignInUrl?: string;

  @Check(forType('Token', oneOf(TOKEN_SCHEMES)))
  Scheme?: TokenScheme;

  @Check(forType('Token', safeText(4_096, headerValueProblem)))
  Token?: string;

  @Check(forType('OAuth2ClientCredentials', httpUrl))
  TokenUrl?: string;

  @Check(forType('OAuth2ClientCredentials', safeText(256, credentialProblem)))
  ClientId?: string;

  @Check(forType('OAuth2ClientCredentials', safeText(1_024, credentialProblem)))
  ClientSecret?: string;

  @Check(forType('OAuth2ClientCredentials', text(1_024), true))
  Scope?: string | null;

  /** Absent or null means `client_secret_basic`, what every token URL must accept (RFC 6749 §2.3.1). */
  @Check(forType('OAuth2ClientCredentials', oneOf(CLIENT_AUTH_METHODS), true))
  ClientAuthMethod?: ClientAuthMethod | null;
}

const optional =
  (rule: Rule): Rule =>
  (value, object, property) =>
    value === undefined ? undefined : rule(value, object, property);

/** Retries after a failed attempt; every field falls back to the default policy. */
export class RetryPolicyDto {
  @Check(optional(integer(0, 10)))
  MaxRetries?: number;

  @Check(optional(integer(100, 3_600_000)))
  InitialDelayMs?: number;

  @Check(
    optional((value, _object, property) =>
      typeof value === 'number' && value >= 1 && value <= 10 ? undefined : `${property} must be a number from 1 to 10`,
    ),
  )
  BackoffMultiplier?: number;

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
const security: Rule = (value, object, property) =>
  safeText(40, headerValueProblem)(value, object, property) ??
  ((value as string).includes('"') ? `${property} must not contain a double quote (")` : undefined);

const uuid: Rule = (value, _object, property) =>
  typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
    ? undefined
    : `${property} must be a UUID`;

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
export const condition: Rule = (value, object, property) => {
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
};

/** ChangeGear's combinations of module and event: `[{ "ObjectType": "Incident", "Event": "Created" }]`. */
const triggers: Rule = (value, _object, property) => {
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

/** Attribute names or ids; BMC's field ids may be numbers, kept as numbers. */
const fieldIds: Rule = (value, object, property) => {
  const texts = Array.isArray(value) ? value.map((id) => (Number.isInteger(id) && id >= 0 ? String(id) : id)) : value;
  return stringList(500, 256)(texts, object, property);
};

const headers: Rule = (value) => {
  const problems = headerProblems(value);
  return problems.length === 0
    ? undefined
    : problems.map((p) => (p.field === 'Headers' ? p.reason : `${p.field} ${p.reason}`)).join('; ');
};

const sharedSpace: Rule = (value, _object, property) =>
  typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)
    ? undefined
    : `${property} must be 1 to 64 letters, digits, '-' or '_'`;

/**
 * The writable fields of a webhook (Rally attributes plus the extensions from the other seeds),
 * shared by create and PATCH; the subclass says whether the required fields must be present.
 */
export abstract class WebhookBodyDto implements PresenceAware {
  abstract requiresAll(): boolean;

  @Field('required', text(256)) AppName?: string;
  @Field('required', text(2_048)) AppUrl?: string;
  @Field('required', text(256)) Name?: string;
  @Field('required', httpUrl) TargetUrl?: string;

  // ValidateIf keeps the nested check off null, and with it every check here: WebhookService refuses null.
  @Check(expressions)
  @ValidateIf((_object, value) => value !== null)
  @ValidateNested({ each: true })
  @Type(() => ExpressionDto)
  Expressions?: ExpressionDto[];

  @Field('optional', stringList(50, 256)) ObjectTypes?: string[];
  @Field('nullable', text(256)) CreatedBy?: string | null;
  @Field('optional', uuid) OwnerID?: string;
  @Field('optional', boolean) Disabled?: boolean;
  @Field('nullable', security) Security?: string | null;

  @Field('optional', stringList(3, 16, { minItems: 1, allowed: WEBHOOK_EVENTS })) Events?: WebhookEventName[];
  @Field('optional', triggers) Triggers?: WebhookTrigger[];
  @Field('nullable', condition) Condition?: string | null;
  @Field('optional', fieldIds) Fields?: (string | number)[];
  @Field('optional', boolean) IncludeAllFields?: boolean;
  @Field('optional', oneOf(PAYLOAD_FORMATS)) PayloadFormat?: PayloadFormat;
  /** Null only as GET shows a webhook stored before dialects, sent back unchanged. */
  @Field('nullable', oneOf(DIALECTS)) Dialect?: Dialect | null;
  @Field('optional', headers) Headers?: Record<string, string>;

  @ValidateIf((_object, value) => value !== null && value !== undefined)
  @ValidateNested()
  @Type(() => AuthenticationDto)
  Authentication?: AuthenticationDto | null;

  @Field('optional', oneOf(COMMUNICATION_METHODS)) CommunicationMethod?: CommunicationMethod;
  @Field('nullable', sharedSpace) SharedSpace?: string | null;

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
export class UpdateWebhookDto extends WebhookBodyDto {
  requiresAll(): boolean {
    return false;
  }
}
