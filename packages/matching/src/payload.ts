import type { AttributeValue, ChangeAction, ChangeMessage } from '@hookline/contracts';
import type { Expression } from './expressions';
import type { WebhookDefinition, WebhookEventType } from './webhook';

/**
 * The "rule" half of a payload: the webhook as the registry API returns it (Rally seed).
 * `Security` is deliberately absent: it travels in a request header, and payload bodies
 * end up in receivers' logs.
 */
export interface WebhookRule {
  ObjectUUID: string;
  Name: string;
  TargetUrl: string;
  AppName?: string;
  AppUrl?: string;
  ObjectTypes?: readonly string[];
  Events?: readonly WebhookEventType[];
  Expressions?: readonly Expression[];
  Condition?: string | null;
  Disabled?: boolean;
  OwnerID?: string | null;
  CreatedBy?: string | null;
  CreationDate?: string;
  LastUpdateDate?: string;
  SubscriptionID?: number | string;
  _objectVersion?: number;
  _ref?: string;
  _type?: string;
}

/** Copied into `rule` when present; anything else on the input (credentials, stats) is not. */
export const RULE_FIELDS = [
  'ObjectUUID',
  'Name',
  'AppName',
  'AppUrl',
  'TargetUrl',
  'ObjectTypes',
  'Events',
  'Expressions',
  'Condition',
  'Disabled',
  'OwnerID',
  'CreatedBy',
  'CreationDate',
  'LastUpdateDate',
  'SubscriptionID',
  '_objectVersion',
  '_ref',
  '_type',
] as const satisfies readonly (keyof WebhookRule)[];

/**
 * Attribute names (case-insensitive) that identify the object and are always sent: the
 * "basic fields, such as ID and type" of the Octane seed.
 */
export const BASIC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'id',
  'objectid',
  'objectuuid',
  'formattedid',
  'type',
  '_type',
]);

/** The change message as receivers see it: without Hookline's own envelope fields. */
export type PayloadMessage = Omit<ChangeMessage, 'tenant' | 'ingested_at'>;

export interface WebhookPayload {
  rule: WebhookRule;
  message: PayloadMessage;
}

export type PayloadShaping = Pick<WebhookDefinition, 'Fields' | 'IncludeAllFields' | 'PayloadFormat' | 'Dialect'>;

/**
 * How the body is laid out:
 * - `rally`: `{ rule, message }`, the change message with the webhook that fired (Rally, Octane);
 * - `record`: BMC's flat record, `{ recordEvent, recordDefinitionName, <field>: value }`, each
 *   attribute under its name (a snapshot's field key, e.g. BMC's field ids "2", "536870913");
 * - `ticket`: ChangeGear's bare record, `{ <attribute name>: value }`, the whole ticket as its
 *   API returns it, nothing around it (the event is the webhook's: one per module and event).
 */
export const PAYLOAD_FORMATS = ['rally', 'record', 'ticket'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/**
 * The product whose payloads and defaults a webhook follows. The layout and IncludeAllFields
 * default from it (DIALECT_DEFAULTS); the attributes chosen differ where the products do:
 * - `rally`, `changegear`: the whole message or record on every event; `Fields` limits it;
 * - `octane`: the basic fields (id, type) plus `Fields` on every event, and on update every
 *   changed attribute's before/after as well: `Fields` adds to that, it never removes changes;
 * - `bmc`: every field on create ("All the created field IDs are provided"), on update the
 *   changed ones (or all, IncludeAllFields), on delete the record definition and instance id.
 * A webhook stored before dialects existed has none and keeps the rules it was delivered with.
 */
export const DIALECTS = ['rally', 'octane', 'bmc', 'changegear'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** What each dialect's webhooks get for the payload settings their create body leaves out. */
export const DIALECT_DEFAULTS: Record<Dialect, { PayloadFormat: PayloadFormat; IncludeAllFields: boolean }> = {
  rally: { PayloadFormat: 'rally', IncludeAllFields: true },
  octane: { PayloadFormat: 'rally', IncludeAllFields: false },
  bmc: { PayloadFormat: 'record', IncludeAllFields: false },
  changegear: { PayloadFormat: 'ticket', IncludeAllFields: true },
};

/** BMC's `recordEvent` for each change action. */
export const RECORD_EVENT_OF: Record<ChangeAction, 'create' | 'update' | 'delete'> = {
  Created: 'create',
  Updated: 'update',
  Deleted: 'delete',
  Recycled: 'delete',
};

function isBasic(_key: string, entry: AttributeValue): boolean {
  return BASIC_ATTRIBUTES.has(entry.name.toLowerCase());
}

function pick<T extends AttributeValue>(
  map: Record<string, T>,
  keep: (key: string, entry: T) => boolean,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, entry] of Object.entries(map)) if (keep(key, entry)) out[key] = entry;
  return out;
}

/**
 * Builds the `{ rule, message }` body for one webhook and one matched message. Without a Dialect
 * (and for `rally` and `changegear`):
 *
 * - `Fields` (attribute ids or names) limits `state` and `changes` to those attributes;
 *   the basic attributes are always kept. An empty `Fields` limits nothing.
 * - Deleted and Recycled messages carry only the basic attributes, plus any listed in
 *   `Fields` (Octane: basic fields on delete; BMC: the record id on delete), unless the
 *   webhook asks for everything: `IncludeAllFields: true` (the registry's default) and no
 *   `Fields` send the record as it was, whole (ChangeGear: the entire ticket on delete too).
 * - `IncludeAllFields: false` on Updated sends in `state` only the changed attributes and
 *   the basic ones (BMC). Unchanged attributes are left out rather than sent as null.
 * - `IncludeAllFields: false` on any other action (Created) sends the basic attributes plus
 *   `Fields` (Octane: "by default only basic fields, such as ID and type").
 * - Otherwise the message goes out whole, as in Rally.
 * The `octane` and `bmc` dialects choose differently (see DIALECTS).
 * `tenant` and `ingested_at` never go out.
 */
export function buildPayload(rule: WebhookRule, message: ChangeMessage, webhook: PayloadShaping): WebhookPayload {
  return { rule: ruleOf(rule), message: selectAttributes(outgoingOf(message), webhook) };
}

/**
 * The body for one webhook and one matched message in the webhook's PayloadFormat (absent:
 * `rally`). The attributes are chosen as for `rally` (see buildPayload) and then laid out:
 * `record` and `ticket` carry values only, not the old values of `changes`. In `record`, an
 * Updated message under `IncludeAllFields: false` lists the unchanged attributes too, as null, as
 * BMC does ("the field values that are unchanged are displayed as null"); under the `bmc` dialect
 * a delete is the record definition name and the record's instance id (`recordInstanceId`), as
 * BMC sends ("only record definition name and record definition instance ID").
 */
export function renderPayload(
  rule: WebhookRule,
  message: ChangeMessage,
  webhook: PayloadShaping,
): WebhookPayload | Record<string, unknown> {
  const format = webhook.PayloadFormat ?? 'rally';
  if (format === 'rally') return buildPayload(rule, message, webhook);
  const outgoing = outgoingOf(message);
  const shaped = selectAttributes(outgoing, webhook);
  if (format === 'ticket') {
    const ticket: Record<string, unknown> = {};
    for (const entry of Object.values(shaped.state)) ticket[entry.name] = entry.value;
    return ticket;
  }
  const record: Record<string, unknown> = {
    recordEvent: RECORD_EVENT_OF[shaped.action],
    recordDefinitionName: shaped.object_type,
  };
  if (webhook.Dialect === 'bmc' && isGone(shaped.action)) return { ...record, recordInstanceId: shaped.object_id };
  if (shaped.action === 'Updated' && webhook.IncludeAllFields === false) {
    const every = shapeMessage(outgoing, { ...webhook, IncludeAllFields: true }).state;
    for (const entry of Object.values(every)) record[entry.name] = null;
  }
  for (const entry of Object.values(shaped.state)) record[entry.name] = entry.value;
  return record;
}

function isGone(action: ChangeAction): boolean {
  return action === 'Deleted' || action === 'Recycled';
}

/** The attributes a webhook's payload carries, by its dialect. */
function selectAttributes(message: PayloadMessage, webhook: PayloadShaping): PayloadMessage {
  switch (webhook.Dialect) {
    case 'octane':
      return octaneAttributes(message, webhook);
    case 'bmc':
      return bmcAttributes(message, webhook);
    case 'rally':
    case 'changegear':
    case undefined:
      return shapeMessage(message, webhook);
  }
}

/**
 * Octane: the basic fields plus `Fields` in `state`; on update every change besides, whatever
 * `Fields` says ("in addition to the basic fields ... a set of before/after changes").
 * `IncludeAllFields: true` sends the entity whole.
 */
function octaneAttributes(message: PayloadMessage, webhook: PayloadShaping): PayloadMessage {
  if (webhook.IncludeAllFields === true) return message;
  const fields = fieldSet(webhook);
  const chosen = (key: string, entry: AttributeValue): boolean =>
    isBasic(key, entry) || (fields !== undefined && (fields.has(key) || fields.has(entry.name)));
  return {
    ...message,
    state: pick(message.state, chosen),
    changes: message.action === 'Updated' ? message.changes : pick(message.changes, chosen),
  };
}

/**
 * BMC: every field of a created record, whatever payloadFieldIds lists (the seed's create example
 * carries fields 1 and 379 beside the registered 2, 7, 8); `includeAllFields` decides updates only.
 */
function bmcAttributes(message: PayloadMessage, webhook: PayloadShaping): PayloadMessage {
  if (message.action === 'Created') return message;
  if (isGone(message.action)) return { ...message, state: pick(message.state, isBasic), changes: {} };
  if (webhook.IncludeAllFields === true) return message;
  return shapeMessage(message, webhook);
}

function fieldSet(webhook: PayloadShaping): Set<string> | undefined {
  // An empty list limits nothing, like an empty ObjectTypes (and the registry's default).
  return webhook.Fields === undefined || webhook.Fields.length === 0 ? undefined : new Set(webhook.Fields.map(String));
}

function outgoingOf(message: ChangeMessage): PayloadMessage {
  const { tenant: _tenant, ingested_at: _ingestedAt, ...outgoing } = message;
  return outgoing;
}

/** The `rule` a payload carries: the RULE_FIELDS the webhook has, nothing else (no credentials, no stats). */
export function ruleOf(webhook: WebhookRule): WebhookRule {
  const picked: Record<string, unknown> = {};
  for (const field of RULE_FIELDS) if (webhook[field] !== undefined) picked[field] = webhook[field];
  // The required fields are copied from a WebhookRule, so the picked object is one too.
  return picked as unknown as WebhookRule;
}

function shapeMessage(message: PayloadMessage, webhook: PayloadShaping): PayloadMessage {
  const fields = fieldSet(webhook);
  const listed = (key: string, entry: AttributeValue): boolean =>
    fields === undefined || fields.has(key) || fields.has(entry.name);
  const selected = (key: string, entry: AttributeValue): boolean => isBasic(key, entry) || listed(key, entry);
  const basicOrNamed = (key: string, entry: AttributeValue): boolean =>
    isBasic(key, entry) || (fields !== undefined && listed(key, entry));

  if (isGone(message.action)) {
    if (webhook.IncludeAllFields === true && fields === undefined) return message;
    return { ...message, state: pick(message.state, basicOrNamed), changes: pick(message.changes, basicOrNamed) };
  }
  if (message.action === 'Updated' && webhook.IncludeAllFields === false) {
    const changed = (key: string, entry: AttributeValue): boolean =>
      isBasic(key, entry) || (Object.hasOwn(message.changes, key) && listed(key, entry));
    return { ...message, state: pick(message.state, changed), changes: pick(message.changes, selected) };
  }
  if (webhook.IncludeAllFields === false) {
    return { ...message, state: pick(message.state, basicOrNamed), changes: pick(message.changes, basicOrNamed) };
  }
  if (fields === undefined) return message;
  return { ...message, state: pick(message.state, selected), changes: pick(message.changes, selected) };
}
