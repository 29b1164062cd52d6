import type { ChangeAction } from '@hookline/contracts';
import { MessageView, type MatchableMessage } from './attributes';
import {
  conditionHolds,
  ConditionSyntaxError,
  explainCondition,
  parseCondition,
  type ConditionNode,
} from './condition';
import {
  compileExpression,
  validateExpression,
  type CompiledExpression,
  type Expression,
  type Problem,
} from './expressions';
import { DIALECTS, PAYLOAD_FORMATS, type Dialect, type PayloadFormat } from './payload';

export const WEBHOOK_EVENTS = ['Created', 'Updated', 'Deleted'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** What the matcher needs of a registered webhook. */
export interface WebhookDefinition {
  id: string;
  tenant: string;
  /** Empty means any object type (Rally). Portfolio Items by bare name: "Feature". */
  ObjectTypes: readonly string[];
  /** Empty means any event. */
  Events: readonly WebhookEventType[];
  /**
   * Pairs of object type and event, any of which fires the webhook (ChangeGear's "multiple
   * combinations" of module and event). When given, ObjectTypes and Events are not consulted.
   */
  Triggers?: readonly WebhookTrigger[];
  /** AND-ed; may be empty when ObjectTypes/Events/Condition say enough (ChangeGear, BMC). */
  Expressions: readonly Expression[];
  /** A BMC condition; blank or null means none. */
  Condition?: string | null;
  Disabled: boolean;
  /** Attribute ids or names to limit the payload to (Octane `Fields`, BMC `payloadFieldIds`). */
  Fields?: readonly (string | number)[];
  /** False sends only the changed attributes (plus basic ones) on Updated (BMC); absent or true sends all. */
  IncludeAllFields?: boolean;
  /** The body's layout (see PAYLOAD_FORMATS); absent is `rally`. */
  PayloadFormat?: PayloadFormat;
  /** The product whose payload rules apply (see DIALECTS); absent for webhooks stored before dialects. */
  Dialect?: Dialect;
}

export interface WebhookTrigger {
  ObjectType: string;
  Event: WebhookEventType;
}

export interface CompiledWebhook {
  readonly def: WebhookDefinition;
  /** Normalised with normalizeObjectType; empty means any. */
  readonly objectTypes: ReadonlySet<string>;
  /** Empty means any. */
  readonly events: ReadonlySet<WebhookEventType>;
  /** Event to the object types it fires for (normalised); absent when the webhook has no Triggers. */
  readonly triggers?: ReadonlyMap<WebhookEventType, ReadonlySet<string>>;
  readonly expressions: readonly CompiledExpression[];
  readonly condition?: ConditionNode;
}

export type MatchClause = 'ObjectTypes' | 'Events' | 'Triggers' | `Expressions[${number}]` | 'Condition';
export type MatchResult = { matched: true } | { matched: false; failed: { clause: MatchClause; reason: string } };

export class InvalidWebhookError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`invalid webhook: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`);
    this.name = 'InvalidWebhookError';
  }
}

const PORTFOLIO_ITEM = 'portfolioitem';
const PORTFOLIO_ITEM_PREFIX = `${PORTFOLIO_ITEM}/`;

/**
 * Type names compare case-insensitively (WSAPI refs spell them in lower case) and a
 * Portfolio Item is known by its bare name, as the Rally seed tells users to write it:
 * "PortfolioItem/Feature" and "Feature" are the same type.
 */
export function normalizeObjectType(type: string): string {
  return objectTypeKeys(type)[0];
}

// Every message asks for its type's keys, once per candidate webhook; there are few types.
const TYPE_KEYS_LIMIT = 10_000;
const typeKeysCache = new Map<string, readonly string[]>();

/**
 * The ObjectTypes keys a message's type can be matched by: its normalised name and, for a
 * Portfolio Item, also "portfolioitem", which we take to mean every Portfolio Item type.
 */
export function objectTypeKeys(objectType: string): readonly string[] {
  let keys = typeKeysCache.get(objectType);
  if (keys === undefined) {
    const lower = objectType.trim().toLowerCase();
    const bare = lower.startsWith(PORTFOLIO_ITEM_PREFIX) ? lower.slice(PORTFOLIO_ITEM_PREFIX.length) : lower;
    keys = Object.freeze(bare !== lower && bare !== PORTFOLIO_ITEM ? [bare, PORTFOLIO_ITEM] : [bare]);
    if (typeKeysCache.size >= TYPE_KEYS_LIMIT) typeKeysCache.clear();
    typeKeysCache.set(objectType, keys);
  }
  return keys;
}

function objectTypeMatches(types: ReadonlySet<string>, objectType: string): boolean {
  if (types.size === 0) return true;
  for (const key of objectTypeKeys(objectType)) if (types.has(key)) return true;
  return false;
}

/**
 * The webhook event a change action fires. Recycled counts as Deleted: Rally sends
 * "Recycled" where the other products say delete, and to a receiver the object is gone
 * either way (a restore from the recycle bin arrives as an update).
 */
export function eventOfAction(action: ChangeAction): WebhookEventType {
  return action === 'Recycled' ? 'Deleted' : action;
}

/** The matching-related parts of a webhook as a client may send them, before validation. */
export interface WebhookRulesInput {
  ObjectTypes?: unknown;
  Events?: unknown;
  Triggers?: unknown;
  Expressions?: unknown;
  Condition?: unknown;
  Fields?: unknown;
  IncludeAllFields?: unknown;
  PayloadFormat?: unknown;
  Dialect?: unknown;
}

/**
 * Validates the matching-related parts of a webhook (for the registry): ObjectTypes,
 * Events, Expressions, Condition, Fields, IncludeAllFields, PayloadFormat and Dialect. Absent ones are allowed.
 */
export function validateWebhook(def: WebhookRulesInput): Problem[] {
  return inspect(def).problems;
}

/** Validation and the parsed condition in one pass, so compiling parses the condition once. */
function inspect(def: WebhookRulesInput): { problems: Problem[]; condition?: ConditionNode } {
  const problems: Problem[] = [];
  const eachOf = (field: string, value: unknown, check: (v: unknown, i: number) => Problem[]): void => {
    if (value === undefined) return;
    if (!Array.isArray(value)) problems.push({ field, reason: 'must be an array' });
    else value.forEach((v, i) => problems.push(...check(v, i)));
  };
  eachOf('ObjectTypes', def.ObjectTypes, (v, i) =>
    typeof v === 'string' && v.trim() !== ''
      ? []
      : [{ field: `ObjectTypes[${i}]`, reason: 'must be a non-empty string' }],
  );
  eachOf('Events', def.Events, (v, i) =>
    (WEBHOOK_EVENTS as readonly unknown[]).includes(v)
      ? []
      : [{ field: `Events[${i}]`, reason: `must be one of ${WEBHOOK_EVENTS.join(', ')}` }],
  );
  eachOf('Triggers', def.Triggers, (v, i) => {
    const trigger = v as Partial<Record<keyof WebhookTrigger, unknown>> | null;
    if (typeof trigger !== 'object' || trigger === null)
      return [{ field: `Triggers[${i}]`, reason: 'must be an object with ObjectType and Event' }];
    const problems: Problem[] = [];
    if (typeof trigger.ObjectType !== 'string' || trigger.ObjectType.trim() === '')
      problems.push({ field: `Triggers[${i}].ObjectType`, reason: 'must be a non-empty string' });
    if (!(WEBHOOK_EVENTS as readonly unknown[]).includes(trigger.Event))
      problems.push({ field: `Triggers[${i}].Event`, reason: `must be one of ${WEBHOOK_EVENTS.join(', ')}` });
    return problems;
  });
  eachOf('Expressions', def.Expressions, validateExpression);
  eachOf('Fields', def.Fields, (v, i) =>
    (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v))
      ? []
      : [{ field: `Fields[${i}]`, reason: 'must be an attribute id or name' }],
  );
  if (def.IncludeAllFields !== undefined && typeof def.IncludeAllFields !== 'boolean') {
    problems.push({ field: 'IncludeAllFields', reason: 'must be a boolean' });
  }
  if (def.PayloadFormat !== undefined && !(PAYLOAD_FORMATS as readonly unknown[]).includes(def.PayloadFormat)) {
    problems.push({ field: 'PayloadFormat', reason: `must be one of ${PAYLOAD_FORMATS.join(', ')}` });
  }
  if (def.Dialect !== undefined && !(DIALECTS as readonly unknown[]).includes(def.Dialect)) {
    problems.push({ field: 'Dialect', reason: `must be one of ${DIALECTS.join(', ')}` });
  }
  const text = def.Condition;
  if (text === undefined || text === null) return { problems };
  if (typeof text !== 'string') {
    problems.push({ field: 'Condition', reason: 'must be a string' });
    return { problems };
  }
  // A blank condition is no condition: BMC's is optional.
  if (text.trim() === '') return { problems };
  try {
    return { problems, condition: parseCondition(text) };
  } catch (err) {
    if (!(err instanceof ConditionSyntaxError)) throw err;
    problems.push({ field: 'Condition', reason: `${err.message} (at offset ${err.position})` });
    return { problems };
  }
}

/** Compiles a webhook once so matching a message does no parsing. Throws InvalidWebhookError. */
export function compileWebhook(def: WebhookDefinition): CompiledWebhook {
  const { problems, condition } = inspect(def);
  if (problems.length > 0) throw new InvalidWebhookError(problems);
  return {
    def,
    objectTypes: new Set(def.ObjectTypes.map(normalizeObjectType)),
    events: new Set(def.Events),
    ...(def.Triggers !== undefined && def.Triggers.length > 0 && { triggers: compileTriggers(def.Triggers) }),
    expressions: def.Expressions.map(compileExpression),
    condition,
  };
}

function compileTriggers(triggers: readonly WebhookTrigger[]): Map<WebhookEventType, Set<string>> {
  const byEvent = new Map<WebhookEventType, Set<string>>();
  for (const { ObjectType, Event } of triggers) {
    let types = byEvent.get(Event);
    if (types === undefined) byEvent.set(Event, (types = new Set()));
    types.add(normalizeObjectType(ObjectType));
  }
  return byEvent;
}

/** Whether the webhook's ObjectTypes and Events, or its Triggers when it has some, let the message through. */
function firesFor(compiled: CompiledWebhook, objectType: string, event: WebhookEventType): boolean {
  if (compiled.triggers !== undefined) {
    const types = compiled.triggers.get(event);
    return types !== undefined && objectTypeMatches(types, objectType);
  }
  return (
    objectTypeMatches(compiled.objectTypes, objectType) && (compiled.events.size === 0 || compiled.events.has(event))
  );
}

const MATCHED: MatchResult = Object.freeze({ matched: true });

/**
 * Whether the compiled webhook matches the message, and if not, the first clause that
 * failed, in order ObjectTypes, Events (or Triggers instead of both), Expressions, Condition. Disabled is not a clause:
 * the index leaves disabled webhooks out, and a dry run can still test one.
 */
export function matchWebhook(compiled: CompiledWebhook, message: MatchableMessage): MatchResult {
  const event = eventOfAction(message.action);
  if (compiled.triggers !== undefined) {
    if (!firesFor(compiled, message.object_type, event)) {
      const pairs = (compiled.def.Triggers ?? []).map((t) => `${t.ObjectType} ${t.Event}`).join(', ');
      return noMatch('Triggers', `${message.object_type} ${event} is not one of ${pairs}`);
    }
  } else {
    if (!objectTypeMatches(compiled.objectTypes, message.object_type)) {
      return noMatch(
        'ObjectTypes',
        `object type ${message.object_type} is not one of ${compiled.def.ObjectTypes.join(', ')}`,
      );
    }
    if (compiled.events.size > 0 && !compiled.events.has(event)) {
      return noMatch('Events', `event ${event} is not one of ${compiled.def.Events.join(', ')}`);
    }
  }
  const view = new MessageView(message.state, message.changes);
  const failed = compiled.expressions.findIndex((expression) => !expression.test(view));
  if (failed >= 0) return noMatch(`Expressions[${failed}]`, compiled.expressions[failed].explain(view));
  if (compiled.condition !== undefined && !conditionHolds(compiled.condition, view)) {
    return noMatch('Condition', explainCondition(compiled.condition, view));
  }
  return MATCHED;
}

/**
 * matchWebhook's verdict without its reasons, for the hot path: the message's MessageView
 * is shared by every webhook it is tested against.
 */
export function webhookMatches(compiled: CompiledWebhook, message: MatchableMessage, view: MessageView): boolean {
  return (
    firesFor(compiled, message.object_type, eventOfAction(message.action)) &&
    compiled.expressions.every((expression) => expression.test(view)) &&
    (compiled.condition === undefined || conditionHolds(compiled.condition, view))
  );
}

function noMatch(clause: MatchClause, reason: string): MatchResult {
  return { matched: false, failed: { clause, reason } };
}
