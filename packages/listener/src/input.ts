import { readFileSync } from 'node:fs';
import type { Schema } from '@hookline/client';

export type CreateWebhookBody = Schema<'CreateWebhookDto'>;
export type UpdateWebhookBody = Schema<'UpdateWebhookDto'>;
type Expression = Schema<'ExpressionDto'>;
type Operator = Expression['Operator'];

/** A mistake in what the user typed or gave in a file: shown with the usage exit code. */
export class InputError extends Error {}

const OPERATORS: readonly Operator[] = [
  '=', '!=', '<', '<=', '>', '>=', 'changed-to', 'changed-from', '~', '!~', 'has', '!has', 'changed',
]; // prettier-ignore
const VALUELESS: readonly Operator[] = ['has', '!has', 'changed'];

/** `--where "Priority = High"`: attribute, operator, then the value (JSON when it parses, so `3` and `true` stay typed). */
export function parseExpression(text: string): Expression {
  const match = /^\s*(\S+)\s+(\S+)(?:\s+(.*\S))?\s*$/.exec(text);
  const operator = OPERATORS.find((op) => op === match?.[2]);
  if (!match || operator === undefined) {
    throw new InputError(
      `--where takes "<attribute> <operator> [value]" with one of ${OPERATORS.join(' ')}: "${text}"`,
    );
  }
  const [, attribute, , raw] = match;
  if (VALUELESS.includes(operator)) {
    if (raw !== undefined) throw new InputError(`--where: ${operator} takes no value: "${text}"`);
    return { AttributeName: attribute, Operator: operator };
  }
  if (raw === undefined) throw new InputError(`--where: ${operator} needs a value: "${text}"`);
  return { AttributeName: attribute, Operator: operator, Value: jsonOrString(raw) as Expression['Value'] };
}

function jsonOrString(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** `--header "X-Team: blue"` into a header map. */
export function parseHeaders(entries: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new InputError(`--header takes "Name: value", not "${entry}"`);
    headers[entry.slice(0, colon).trim()] = entry.slice(colon + 1).trim();
  }
  return headers;
}

/** A JSON file's object (or, where `allowArray`, array): named in the error when unreadable or malformed. */
export function readJsonFile(file: string, allowArray = false): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`--file: cannot read ${file}: ${(err as { code?: string }).code ?? String(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`--file: ${file} is not JSON: ${(err as Error).message}`);
  }
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject && !(allowArray && Array.isArray(value))) {
    throw new InputError(`--file: ${file} must hold a JSON object${allowArray ? ' or an array of them' : ''}`);
  }
  return value;
}

export function parseJsonFlag(flag: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${flag} takes a JSON object: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${flag} takes a JSON object, e.g. '{"Priority":"High"}'`);
  }
  return value as Record<string, unknown>;
}

/** The webhook flags `create` and `update` share; each given one overrides the same field of --file. */
export interface WebhookFlags {
  file?: string;
  name?: string;
  target?: string;
  appName?: string;
  appUrl?: string;
  objectType?: string[];
  event?: string[];
  where?: string[];
  condition?: string;
  dialect?: string;
  field?: string[];
  header?: string[];
  sharedSpace?: string;
  enabled?: boolean;
}

const EVENTS = ['Created', 'Updated', 'Deleted'] as const;
const DIALECTS = ['rally', 'octane', 'bmc', 'changegear'] as const;

/** The fields the flags set, in the API's names; the server validates the rest. */
export function webhookFields(flags: WebhookFlags): UpdateWebhookBody {
  const fromFile = flags.file === undefined ? {} : (readJsonFile(flags.file) as UpdateWebhookBody);
  const events = flags.event?.map((e) => {
    const event = EVENTS.find((known) => known.toLowerCase() === e.toLowerCase());
    if (event === undefined) throw new InputError(`--event takes ${EVENTS.join(', ')}, not "${e}"`);
    return event;
  });
  const dialect = flags.dialect === undefined ? undefined : DIALECTS.find((d) => d === flags.dialect);
  if (flags.dialect !== undefined && dialect === undefined) {
    throw new InputError(`--dialect takes ${DIALECTS.join(', ')}, not "${flags.dialect}"`);
  }
  return {
    ...fromFile,
    ...(flags.name !== undefined && { Name: flags.name }),
    ...(flags.target !== undefined && { TargetUrl: flags.target }),
    ...(flags.appName !== undefined && { AppName: flags.appName }),
    ...(flags.appUrl !== undefined && { AppUrl: flags.appUrl }),
    ...(flags.objectType !== undefined && { ObjectTypes: flags.objectType }),
    ...(events !== undefined && { Events: events }),
    ...(flags.where !== undefined && { Expressions: flags.where.map(parseExpression) }),
    ...(flags.condition !== undefined && { Condition: flags.condition }),
    ...(dialect !== undefined && { Dialect: dialect }),
    ...(flags.field !== undefined && { Fields: flags.field }),
    ...(flags.header !== undefined && { Headers: parseHeaders(flags.header) }),
    ...(flags.sharedSpace !== undefined && { CommunicationMethod: 'websocket', SharedSpace: flags.sharedSpace }),
    ...(flags.enabled !== undefined && { Disabled: !flags.enabled }),
  };
}

/** A new webhook: the flags and file, with the Rally-required AppName and AppUrl defaulted so a CLI user need not invent them. */
export function createWebhookBody(flags: WebhookFlags): CreateWebhookBody {
  const body = { AppName: 'hookline CLI', AppUrl: 'hookline-cli', ...webhookFields(flags) };
  const missing = (['Name', 'TargetUrl'] as const).filter((f) => body[f] === undefined);
  if (missing.length > 0) {
    throw new InputError(
      `a webhook needs ${missing.map((f) => (f === 'Name' ? '--name' : '--target')).join(' and ')} (or the field in --file)`,
    );
  }
  return body as CreateWebhookBody;
}

/** The change to send: --file as is (one or an array), else the flags as a snapshot change. */
export function changeBody(flags: {
  file?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  before?: string;
  after?: string;
  messageId?: string;
}): unknown {
  const flagged = [flags.action, flags.objectType, flags.objectId, flags.before, flags.after, flags.messageId];
  if (flags.file !== undefined) {
    if (flagged.some((v) => v !== undefined))
      throw new InputError('give the change either in --file or in flags, not both');
    return readJsonFile(flags.file, true);
  }
  const missing = [
    flags.action === undefined && '--action',
    flags.objectType === undefined && '--object-type',
    flags.objectId === undefined && '--object-id',
  ].filter(Boolean);
  if (missing.length > 0) throw new InputError(`a change needs ${missing.join(', ')} (or --file change.json)`);
  return {
    action: flags.action,
    object_type: flags.objectType,
    object_id: flags.objectId,
    ...(flags.messageId !== undefined && { message_id: flags.messageId }),
    ...(flags.before !== undefined && { before: parseJsonFlag('--before', flags.before) }),
    ...(flags.after !== undefined && { after: parseJsonFlag('--after', flags.after) }),
  };
}
