import type { SortSpec, WebhookFilter } from './webhook.repository';
import { WEBHOOK_EVENTS, type WebhookEventName } from './webhook.rules';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;

/** Fields `order` accepts: the scalar attributes of a webhook. */
export const SORTABLE_FIELDS = [
  'AppName',
  'AppUrl',
  'Name',
  'TargetUrl',
  'CreatedBy',
  'OwnerID',
  'Disabled',
  'Security',
  'CreationDate',
  'LastUpdateDate',
  'ObjectUUID',
  'SubscriptionID',
  'CommunicationMethod',
  'SharedSpace',
  'Condition',
  'IncludeAllFields',
  'PayloadFormat',
  'FireCount',
  'ErrorCount',
  'LastStatus',
  'LastWebhookResponseTime',
  'LastSuccess',
  'LastFailure',
] as const;

/** Where a sortable API field is stored, when not under its own name. */
const STORED_AS: Record<string, string> = { ObjectUUID: '_id' };

/** Parses `Name desc`, `Disabled desc,Name`; throws a message naming the bad part. */
export function parseOrder(order: string): SortSpec {
  return order.split(',').map((part) => {
    const words = part.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0 || words.length > 2) throw new Error(`"${part.trim()}" is not "<field> [asc|desc]"`);
    const [field, direction = 'asc'] = words as [string, string?];
    const known = SORTABLE_FIELDS.find((f) => f.toLowerCase() === field.toLowerCase());
    if (!known) throw new Error(`cannot sort by "${field}"; sortable fields: ${SORTABLE_FIELDS.join(', ')}`);
    const dir = direction.toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') throw new Error(`direction of ${known} must be asc or desc`);
    return [STORED_AS[known] ?? known, dir === 'asc' ? 1 : -1];
  });
}

/** A comma-separated list, e.g. `name=A,B`; empty items are dropped. */
export function csv(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** BMC filters by record events `create,update,delete`; Rally-style names `Created,...` are accepted too. */
export function parseEvents(value: string): WebhookEventName[] {
  return csv(value).map((item) => {
    const lower = item.toLowerCase();
    const event = WEBHOOK_EVENTS.find((e) => e.toLowerCase() === lower || e.toLowerCase() === `${lower}d`);
    if (!event) throw new Error(`"${item}" is not one of ${WEBHOOK_EVENTS.join(', ')}`);
    return event;
  });
}

export interface WebhookQueryInput {
  order?: string;
  query?: string;
  pagesize?: string;
  start?: string;
  name?: string;
  isEnabled?: string;
  event?: string;
  objectType?: string;
}

export interface ParsedWebhookQuery {
  filter: WebhookFilter;
  sort: SortSpec;
  pageSize: number;
  start: number;
}

/** Page size (default 20; above 200 served as 200) and 1-based start of validated paging parameters. */
export function parsePaging(input: { pagesize?: string; start?: string }): { pageSize: number; start: number } {
  return {
    pageSize: Math.min(MAX_PAGE_SIZE, input.pagesize ? Number(input.pagesize) : DEFAULT_PAGE_SIZE),
    start: input.start ? Number(input.start) : 1,
  };
}

/** Turns validated query parameters into a repository query; pagesize above 200 is served as 200. */
export function parseWebhookQuery(input: WebhookQueryInput): ParsedWebhookQuery {
  const filter: WebhookFilter = {};
  if (input.query !== undefined && input.query.trim().length > 0) filter.text = input.query.trim();
  if (input.name !== undefined) filter.names = csv(input.name);
  if (input.isEnabled !== undefined) filter.disabled = input.isEnabled.toLowerCase() === 'false';
  if (input.event !== undefined) filter.events = parseEvents(input.event);
  if (input.objectType !== undefined) filter.objectType = input.objectType;
  return {
    filter,
    sort: input.order ? parseOrder(input.order) : [],
    ...parsePaging(input),
  };
}
