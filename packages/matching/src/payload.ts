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

export type PayloadShaping = Pick<WebhookDefinition, 'Fields' | 'IncludeAllFields' | 'PayloadFormat'>;

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

/** BMC's `recordEvent` for each change action. */
export const RECORD_EVENT_OF: Record<ChangeAction, 'create' | 'update' | 'delete'> = {
  Created: 'create',
  Updated: 'update',
  Deleted: 'delete',
  Recycled: 'delete',
};

function isBasic(entry: AttributeValue): boolean {
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
 * Builds the `{ rule, message }` body for one webhook and one matched message.
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
 * `tenant` and `ingested_at` never go out.
 */
export function buildPayload(rule: WebhookRule, message: ChangeMessage, webhook: PayloadShaping): WebhookPayload {
  return { rule: ruleOf(rule), message: shapeMessage(outgoingOf(message), webhook) };
}

/**
 * The body for one webhook and one matched message in the webhook's PayloadFormat (absent:
 * `rally`). The attributes are chosen as for `rally` (see buildPayload) and then laid out:
 * `record` and `ticket` carry values only, not the old values of `changes`. In `record`, an
 * Updated message under `IncludeAllFields: false` lists the unchanged attributes too, as null, as
 * BMC does ("the field values that are unchanged are displayed as null").
 */
export function renderPayload(
  rule: WebhookRule,
  message: ChangeMessage,
  webhook: PayloadShaping,
): WebhookPayload | Record<string, unknown> {
  const format = webhook.PayloadFormat ?? 'rally';
  if (format === 'rally') return buildPayload(rule, message, webhook);
  const outgoing = outgoingOf(message);
  const shaped = shapeMessage(outgoing, webhook);
  if (format === 'ticket') {
    const ticket: Record<string, unknown> = {};
    for (const entry of Object.values(shaped.state)) ticket[entry.name] = entry.value;
    return ticket;
  }
  const record: Record<string, unknown> = {
    recordEvent: RECORD_EVENT_OF[shaped.action],
    recordDefinitionName: shaped.object_type,
  };
  if (shaped.action === 'Updated' && webhook.IncludeAllFields === false) {
    const every = shapeMessage(outgoing, { ...webhook, IncludeAllFields: true }).state;
    for (const entry of Object.values(every)) record[entry.name] = null;
  }
  for (const entry of Object.values(shaped.state)) record[entry.name] = entry.value;
  return record;
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
  // An empty list limits nothing, like an empty ObjectTypes (and the registry's default).
  const fields =
    webhook.Fields === undefined || webhook.Fields.length === 0 ? undefined : new Set(webhook.Fields.map(String));
  const listed = (key: string, entry: AttributeValue): boolean =>
    fields === undefined || fields.has(key) || fields.has(entry.name);
  const selected = (key: string, entry: AttributeValue): boolean => isBasic(entry) || listed(key, entry);
  const basicOrNamed = (key: string, entry: AttributeValue): boolean =>
    isBasic(entry) || (fields !== undefined && listed(key, entry));

  if (message.action === 'Deleted' || message.action === 'Recycled') {
    if (webhook.IncludeAllFields === true && fields === undefined) return message;
    return { ...message, state: pick(message.state, basicOrNamed), changes: pick(message.changes, basicOrNamed) };
  }
  if (message.action === 'Updated' && webhook.IncludeAllFields === false) {
    const changed = (key: string, entry: AttributeValue): boolean =>
      isBasic(entry) || (Object.hasOwn(message.changes, key) && listed(key, entry));
    return { ...message, state: pick(message.state, changed), changes: pick(message.changes, selected) };
  }
  if (webhook.IncludeAllFields === false) {
    return { ...message, state: pick(message.state, basicOrNamed), changes: pick(message.changes, basicOrNamed) };
  }
  if (fields === undefined) return message;
  return { ...message, state: pick(message.state, selected), changes: pick(message.changes, selected) };
}
