/**
 * The webhook form's model: what the form edits (strings, lists of rows) and how it becomes the
 * API's body and back. Pure, so the tricky parts (expression values, masked secrets) are unit-tested.
 */
import type {
  Authentication,
  AuthenticationType,
  CommunicationMethod,
  DraftRules,
  Expression,
  Operator,
  PayloadFormat,
  ScalarValue,
  Webhook,
  WebhookBody,
  WebhookEvent,
} from '../../lib/api';

export const VALUELESS: readonly Operator[] = ['has', '!has', 'changed'];
export const LISTED: readonly Operator[] = ['~', '!~'];

export const OPERATOR_LABELS: Record<Operator, string> = {
  '=': 'equals',
  '!=': 'does not equal',
  '<': 'less than',
  '<=': 'at most',
  '>': 'greater than',
  '>=': 'at least',
  'changed-to': 'changed to',
  'changed-from': 'changed from',
  '~': 'is one of',
  '!~': 'is none of',
  has: 'has a value',
  '!has': 'has no value',
  changed: 'changed',
};

export interface ExpressionRow {
  AttributeName: string;
  Operator: Operator;
  Value: string;
}

export interface WebhookFormValues {
  Name: string;
  AppName: string;
  AppUrl: string;
  TargetUrl: string;
  ObjectTypes: string[];
  Events: WebhookEvent[];
  Expressions: ExpressionRow[];
  Condition: string;
  Fields: string[];
  /** The stored Fields with their types, so an edit sends back numbers as numbers (BMC field ids). */
  StoredFields: (string | number)[];
  /** The webhook's dialect; null for a new one. */
  Dialect: Webhook['Dialect'];
  PayloadFormat: PayloadFormat;
  IncludeAllFields: boolean;
  CommunicationMethod: CommunicationMethod;
  SharedSpace: string;
  Headers: { name: string; value: string }[];
  Authentication: { Type: AuthenticationType | 'None' } & Required<
    Pick<Authentication, 'Username' | 'Password' | 'Token' | 'TokenUrl' | 'ClientId' | 'ClientSecret' | 'SignInUrl'>
  > & { Scheme: string; Flow: string };
  RetryPolicy: { MaxRetries: number | ''; InitialDelayMs: number | ''; BackoffMultiplier: number | '' };
  Disabled: boolean;
}

export function emptyForm(): WebhookFormValues {
  return {
    Name: '',
    AppName: 'Hookline console',
    AppUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin,
    TargetUrl: '',
    ObjectTypes: [],
    Events: [],
    Expressions: [],
    Condition: '',
    Fields: [],
    StoredFields: [],
    Dialect: null,
    PayloadFormat: 'rally',
    IncludeAllFields: false,
    CommunicationMethod: 'http',
    SharedSpace: '',
    Headers: [],
    Authentication: {
      Type: 'None',
      Username: '',
      Password: '',
      Token: '',
      Scheme: 'Bearer',
      TokenUrl: '',
      ClientId: '',
      ClientSecret: '',
      SignInUrl: '',
      Flow: 'OAuth2Password',
    },
    RetryPolicy: { MaxRetries: '', InitialDelayMs: '', BackoffMultiplier: '' },
    Disabled: false,
  };
}

/** One value as typed: numbers and true/false as such, "quoted" text as text (so "10" stays a string). */
export function parseScalar(text: string): ScalarValue {
  const trimmed = text.trim();
  const quoted = /^"(.*)"$/.exec(trimmed);
  if (quoted) return quoted[1] ?? '';
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return trimmed;
}

export function parseValue(operator: Operator, text: string): Expression['Value'] {
  if (VALUELESS.includes(operator)) return undefined;
  if (LISTED.includes(operator))
    return text
      .split(',')
      .filter((item) => item.trim().length > 0)
      .map(parseScalar);
  return parseScalar(text);
}

function scalarText(value: unknown): string {
  return typeof value === 'string' && parseScalar(value) !== value ? `"${value}"` : String(value);
}

export function valueText(value: Expression['Value'] | null): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.map(scalarText).join(', ') : scalarText(value);
}

function authenticationBody(auth: WebhookFormValues['Authentication']): Authentication | null {
  switch (auth.Type) {
    case 'None':
      return null;
    case 'Basic':
      return { Type: 'Basic', Username: auth.Username, Password: auth.Password };
    case 'Token':
      return { Type: 'Token', Scheme: auth.Scheme as Authentication['Scheme'], Token: auth.Token };
    case 'OAuth2ClientCredentials':
      return { Type: auth.Type, TokenUrl: auth.TokenUrl, ClientId: auth.ClientId, ClientSecret: auth.ClientSecret };
    case 'SignIn':
      return {
        Type: 'SignIn',
        Flow: auth.Flow as Authentication['Flow'],
        SignInUrl: auth.SignInUrl,
        Username: auth.Username,
        Password: auth.Password,
      };
  }
}

/**
 * Fields as the API takes them. The form edits them as text; each one stored keeps its type, and a
 * new all-digit one on a BMC webhook is a field id, which BMC gives as a number.
 */
export function fieldsOf(values: Pick<WebhookFormValues, 'Fields' | 'StoredFields' | 'Dialect'>): (string | number)[] {
  return values.Fields.map((text) => {
    const stored = values.StoredFields.find((field) => String(field) === text);
    if (stored !== undefined) return stored;
    return values.Dialect === 'bmc' && /^\d+$/.test(text) ? Number(text) : text;
  });
}

/**
 * The body to send. `changed` says which parts the user touched: on an edit, untouched headers and
 * credentials are left out, because the API shows them masked and sending the mask back would store it.
 */
export function toBody(
  values: WebhookFormValues,
  changed: (path: 'Headers' | 'Authentication') => boolean = () => true,
) {
  const retry = Object.fromEntries(Object.entries(values.RetryPolicy).filter(([, v]) => v !== ''));
  const body: WebhookBody = {
    Name: values.Name.trim(),
    AppName: values.AppName.trim(),
    AppUrl: values.AppUrl.trim(),
    TargetUrl: values.TargetUrl.trim(),
    ObjectTypes: values.ObjectTypes,
    PayloadFormat: values.PayloadFormat,
    Fields: fieldsOf(values),
    IncludeAllFields: values.IncludeAllFields,
    CommunicationMethod: values.CommunicationMethod,
    SharedSpace: values.CommunicationMethod === 'websocket' ? values.SharedSpace.trim() : null,
    Disabled: values.Disabled,
    Condition: values.Condition.trim() || null,
    RetryPolicy: retry,
  };
  if (values.Events.length > 0) body.Events = values.Events;
  if (values.Expressions.length > 0 || values.Events.length === 0)
    body.Expressions = values.Expressions.map((row) => ({
      AttributeName: row.AttributeName.trim(),
      Operator: row.Operator,
      Value: parseValue(row.Operator, row.Value),
    }));
  if (changed('Headers')) body.Headers = Object.fromEntries(values.Headers.map((h) => [h.name.trim(), h.value]));
  if (changed('Authentication')) body.Authentication = authenticationBody(values.Authentication);
  return body;
}

export function fromWebhook(webhook: Webhook): WebhookFormValues {
  const empty = emptyForm();
  const auth = webhook.Authentication;
  return {
    Name: webhook.Name,
    AppName: webhook.AppName,
    AppUrl: webhook.AppUrl,
    TargetUrl: webhook.TargetUrl,
    ObjectTypes: webhook.ObjectTypes,
    Events: webhook.Events,
    Expressions: webhook.Expressions.map((e) => ({
      AttributeName: e.AttributeName ?? e.AttributeID ?? '',
      Operator: e.Operator,
      Value: valueText(e.Value),
    })),
    Condition: webhook.Condition ?? '',
    Fields: webhook.Fields.map(String),
    StoredFields: webhook.Fields,
    Dialect: webhook.Dialect,
    PayloadFormat: webhook.PayloadFormat ?? empty.PayloadFormat,
    IncludeAllFields: webhook.IncludeAllFields,
    CommunicationMethod: webhook.CommunicationMethod,
    SharedSpace: webhook.SharedSpace ?? '',
    Headers: Object.entries(webhook.Headers).map(([name, value]) => ({ name, value })),
    Authentication: auth
      ? {
          ...empty.Authentication,
          ...Object.fromEntries(Object.entries(auth).filter(([, v]) => typeof v === 'string')),
          Type: auth.Type,
        }
      : empty.Authentication,
    RetryPolicy: {
      MaxRetries: webhook.RetryPolicy.MaxRetries ?? '',
      InitialDelayMs: webhook.RetryPolicy.InitialDelayMs ?? '',
      BackoffMultiplier: webhook.RetryPolicy.BackoffMultiplier ?? '',
    },
    Disabled: webhook.Disabled,
  };
}

/** What the API shows instead of a stored secret (`********`, with a hint around it for long ones). */
const MASK = '********';
const AGAIN = 'Enter it again: the stored value is never shown, and this part is saved whole';

/**
 * Masked values left in a part the user changed: saving them would store the mask, because the API
 * replaces headers and credentials whole. Keyed by form path, like the API's field problems.
 */
export function maskedLeft(
  values: WebhookFormValues,
  changed: (path: 'Headers' | 'Authentication') => boolean,
): Record<string, string> {
  const problems: Record<string, string> = {};
  if (changed('Headers'))
    values.Headers.forEach((header, i) => {
      if (header.value.includes(MASK)) problems[`Headers.${i}.value`] = AGAIN;
    });
  if (changed('Authentication') && values.Authentication.Type !== 'None')
    for (const field of ['Password', 'Token', 'ClientSecret'] as const)
      if (values.Authentication[field].includes(MASK)) problems[`Authentication.${field}`] = AGAIN;
  return problems;
}

/** The API names nested fields `Expressions.0.Value`, as the form does; the rest go to the form's top. */
export function splitProblems(
  problems: { field: string; reason: string }[],
  known: (field: string) => boolean,
): { fields: Record<string, string>; other: string[] } {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  for (const { field, reason } of problems) {
    if (known(field)) fields[field] = fields[field] ? `${fields[field]}; ${reason}` : reason;
    else other.push(`${field}: ${reason}`);
  }
  return { fields, other };
}

/** The filters a dry run tries: the parts of the body the matcher decides with. */
export function draftRules(values: WebhookFormValues): DraftRules {
  const { ObjectTypes, Events, Expressions, Condition } = toBody(values, () => false);
  return { ObjectTypes, Events, Expressions, Condition };
}
