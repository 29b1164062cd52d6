import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { registerDecorator } from 'class-validator';

/**
 * A rule over one property: a full sentence saying what is wrong, or undefined when it is fine.
 * `schema` says the same for the OpenAPI document (type, format, enum, bounds), beside the check.
 */
export type Rule = ((value: unknown, object: Record<string, unknown>, property: string) => string | undefined) & {
  schema?: ApiPropertyOptions;
};

/** A rule with what it accepts written out for the OpenAPI document. */
export function documented(rule: Rule, schema: ApiPropertyOptions): Rule {
  return Object.assign(
    (value: unknown, object: Record<string, unknown>, property: string) => rule(value, object, property),
    {
      schema,
    },
  );
}

/** Fields a create body must carry, per DTO class, for `OptionalInDocument` to relax. */
const REQUIRED_FIELDS = new WeakMap<object, string[]>();

/**
 * Runs a plain rule function as a class-validator constraint, so rules stay testable functions and
 * each bad field gets exactly one reason in the 400 body.
 */
export function Check(rule: Rule): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const property = String(propertyName);
    registerDecorator({
      name: 'hooklineRule',
      target: target.constructor,
      propertyName: property,
      validator: {
        validate: (value, args) => rule(value, args?.object as Record<string, unknown>, property) === undefined,
        defaultMessage: (args) =>
          rule(args?.value, args?.object as Record<string, unknown>, property) ?? `${property} is invalid`,
      },
    });
  };
}

/** When a property may be left out: `required` (create only), `optional` (never null) or `nullable`. */
export type Presence = 'required' | 'optional' | 'nullable';

/** Object-level switch: a create body must carry the required fields, a PATCH body need not. */
export interface PresenceAware {
  requiresAll(): boolean;
}

/**
 * A rule that first applies the property's presence, then `rule` to a present, non-null value;
 * it documents the property with the rule's schema and `description`.
 */
export function Field(presence: Presence, rule: Rule, description?: string): PropertyDecorator {
  const check = Check((value, object, property) => {
    if (value === undefined) {
      const creating = (object as unknown as Partial<PresenceAware>).requiresAll?.() ?? true;
      return presence === 'required' && creating ? `${property} is required` : undefined;
    }
    if (value === null) return presence === 'nullable' ? undefined : `${property} must not be null`;
    return rule(value, object, property);
  });
  const doc = ApiProperty({
    ...rule.schema,
    required: presence === 'required',
    ...(presence === 'nullable' && { nullable: true }),
    ...(description !== undefined && { description }),
  } as ApiPropertyOptions);
  return (target: object, property: string | symbol) => {
    check(target, property);
    doc(target, property);
    if (presence === 'required')
      REQUIRED_FIELDS.set(target, [...(REQUIRED_FIELDS.get(target) ?? []), String(property)]);
  };
}

/** For a PATCH body sharing its fields with the create body: in the document, nothing is required. */
export function OptionalInDocument(): ClassDecorator {
  return (target) => {
    for (let proto = Object.getPrototypeOf(target.prototype); proto; proto = Object.getPrototypeOf(proto)) {
      for (const field of REQUIRED_FIELDS.get(proto) ?? []) ApiProperty({ required: false })(target.prototype, field);
    }
  };
}

export const text = (max: number): Rule =>
  documented(
    (value, _object, property) => {
      if (typeof value !== 'string' || value.trim().length === 0) return `${property} must be a non-empty string`;
      return value.length > max ? `${property} must be at most ${max} characters` : undefined;
    },
    { type: String, minLength: 1, maxLength: max },
  );

export const integer = (min: number, max: number): Rule =>
  documented(
    (value, _object, property) =>
      Number.isInteger(value) && (value as number) >= min && (value as number) <= max
        ? undefined
        : `${property} must be an integer from ${min} to ${max}`,
    { type: 'integer', minimum: min, maximum: max },
  );

export const boolean: Rule = documented(
  (value, _object, property) => (typeof value === 'boolean' ? undefined : `${property} must be true or false`),
  { type: Boolean },
);

export const oneOf = (allowed: readonly string[]): Rule =>
  documented(
    (value, _object, property) =>
      typeof value === 'string' && allowed.includes(value)
        ? undefined
        : `${property} must be one of: ${allowed.join(', ')}`,
    { enum: [...allowed] },
  );

const httpUrlRule: Rule = (value, _object, property) => {
  if (typeof value !== 'string' || value.length > 2_048)
    return `${property} must be an http(s) URL of at most 2048 characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${property} must be an absolute http or https URL`;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
    return `${property} must be an absolute http or https URL`;
  // Credentials in a URL end up in logs and in the failed-delivery list, and fetch refuses them.
  if (url.username || url.password)
    return `${property} must not contain user info (user:password@); put credentials in Authentication`;
  return undefined;
};
export const httpUrl: Rule = documented(httpUrlRule, { type: String, format: 'uri', maxLength: 2_048 });

/** Text at most `max` long that `problem` (a rule over the text alone, e.g. header-safety) accepts. */
export const safeText =
  (max: number, problem: (value: string) => string | undefined): Rule =>
  (value, object, property) => {
    const invalid = text(max)(value, object, property);
    if (invalid) return invalid;
    const reason = problem(value as string);
    return reason ? `${property} ${reason}` : undefined;
  };

export const stringList = (
  maxItems: number,
  maxLength: number,
  options: { minItems?: number; allowed?: readonly string[] } = {},
): Rule =>
  documented(stringListRule(maxItems, maxLength, options), {
    ...(options.allowed ? { enum: [...options.allowed] } : { type: String }),
    isArray: true,
    maxItems,
    ...(options.minItems !== undefined && { minItems: options.minItems }),
  });

const stringListRule =
  (maxItems: number, maxLength: number, options: { minItems?: number; allowed?: readonly string[] }): Rule =>
  (value, _object, property) => {
    if (!Array.isArray(value)) return `${property} must be an array of strings`;
    const minItems = options.minItems ?? 0;
    if (value.length < minItems) return `${property} must have at least ${minItems} item${minItems === 1 ? '' : 's'}`;
    if (value.length > maxItems) return `${property} must have at most ${maxItems} items`;
    const bad = value.findIndex(
      (item) => typeof item !== 'string' || item.trim().length === 0 || item.length > maxLength,
    );
    if (bad >= 0) return `${property}[${bad}] must be a non-empty string of at most ${maxLength} characters`;
    if (options.allowed) {
      const unknown = (value as string[]).find((item) => !options.allowed!.includes(item));
      if (unknown !== undefined) return `${property} may only contain: ${options.allowed.join(', ')} (got ${unknown})`;
    }
    if (new Set(value).size !== value.length) return `${property} must not repeat an item`;
    return undefined;
  };

/**
 * For fields the system maintains: refused by name in a create body. A PATCH body may carry them
 * as GET showed them (a script sending back what it read); WebhookService compares them with the
 * stored webhook.
 */
export const ReadOnly = (): PropertyDecorator =>
  Check((value, object, property) => {
    const creating = (object as unknown as Partial<PresenceAware>).requiresAll?.() ?? true;
    return value === undefined || !creating ? undefined : `${property} is read-only`;
  });

/** A query parameter given at most once (a repeated one arrives as an array). */
export const single: Rule = (value, _object, property) =>
  value === undefined || typeof value === 'string' ? undefined : `${property} must be given once`;

/** A query parameter that `parse` accepts; its error message is the reason. */
export const parses =
  (parse: (value: string) => unknown): Rule =>
  (value, _object, property) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return `${property} must be given once`;
    try {
      parse(value);
      return undefined;
    } catch (err) {
      return `${property}: ${(err as Error).message}`;
    }
  };

/** A query parameter `true` or `false`. */
export const booleanText: Rule = (value, _object, property) =>
  value === undefined || value === 'true' || value === 'false' ? undefined : `${property} must be true or false`;
