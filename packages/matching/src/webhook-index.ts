import { MessageView, type MatchableMessage } from './attributes';
import {
  compileWebhook,
  eventOfAction,
  webhookMatches,
  objectTypeKeys,
  type CompiledWebhook,
  type WebhookDefinition,
  type WebhookEventType,
} from './webhook';

type EventKey = WebhookEventType | typeof ANY;
type Bucket = Map<EventKey, Set<CompiledWebhook>>;

/** Bucket key for "no ObjectTypes"/"no Events"; a symbol so no type or event can collide with it. */
const ANY = Symbol('any');

interface TenantIndex {
  byId: Map<string, CompiledWebhook>;
  byType: Map<string | typeof ANY, Bucket>;
}

/** A message as the index sees it: the tenant picks the partition. */
export type IndexedMessage = MatchableMessage & { tenant: string };

/**
 * Compiled webhooks by tenant → object type (or any) → event (or any), so a message is
 * only tested against webhooks whose ObjectTypes and Events already fit it: matching
 * cost grows with the webhooks that could match, not with all webhooks. Disabled
 * webhooks are not held.
 */
export class WebhookIndex {
  private readonly tenants = new Map<string, TenantIndex>();

  /** Adds or replaces a webhook (by tenant and id). Throws InvalidWebhookError, leaving the old one. */
  upsert(def: WebhookDefinition): void {
    const compiled = def.Disabled ? undefined : compileWebhook(def);
    this.remove(def.tenant, def.id);
    if (compiled === undefined) return;
    let tenant = this.tenants.get(def.tenant);
    if (tenant === undefined) {
      tenant = { byId: new Map(), byType: new Map() };
      this.tenants.set(def.tenant, tenant);
    }
    tenant.byId.set(def.id, compiled);
    for (const [type, event] of slots(compiled)) {
      let bucket = tenant.byType.get(type);
      if (bucket === undefined) {
        bucket = new Map();
        tenant.byType.set(type, bucket);
      }
      let set = bucket.get(event);
      if (set === undefined) {
        set = new Set();
        bucket.set(event, set);
      }
      set.add(compiled);
    }
  }

  /** Removes a webhook; true when it was there. */
  remove(tenantId: string, id: string): boolean {
    const tenant = this.tenants.get(tenantId);
    const compiled = tenant?.byId.get(id);
    if (tenant === undefined || compiled === undefined) return false;
    tenant.byId.delete(id);
    for (const [type, event] of slots(compiled)) {
      const bucket = tenant.byType.get(type);
      const set = bucket?.get(event);
      if (bucket === undefined || set === undefined) continue;
      set.delete(compiled);
      if (set.size === 0) bucket.delete(event);
      if (bucket.size === 0) tenant.byType.delete(type);
    }
    if (tenant.byId.size === 0) this.tenants.delete(tenantId);
    return true;
  }

  get(tenantId: string, id: string): CompiledWebhook | undefined {
    return this.tenants.get(tenantId)?.byId.get(id);
  }

  /** Webhooks of the message's tenant whose ObjectTypes and Events fit it, each once. */
  candidates(message: IndexedMessage): CompiledWebhook[] {
    const tenant = this.tenants.get(message.tenant);
    if (tenant === undefined) return [];
    const event = eventOfAction(message.action);
    const out: CompiledWebhook[] = [];
    const types = objectTypeKeys(message.object_type);
    for (const type of [...types, ANY] as const) {
      const bucket = tenant.byType.get(type);
      if (bucket === undefined) continue;
      for (const key of [event, ANY] as const) {
        const set = bucket.get(key);
        if (set !== undefined) for (const compiled of set) out.push(compiled);
      }
    }
    // Only a Portfolio Item consults two type buckets, and only then can one webhook be in both.
    return types.length > 1 ? [...new Set(out)] : out;
  }

  /** The enabled webhooks of the message's tenant that match it. */
  match(message: IndexedMessage): CompiledWebhook[] {
    const view = new MessageView(message.state, message.changes);
    return this.candidates(message).filter((compiled) => webhookMatches(compiled, message, view));
  }

  /** Enabled webhooks held for a tenant, or for all tenants. */
  size(tenantId?: string): number {
    if (tenantId !== undefined) return this.tenants.get(tenantId)?.byId.size ?? 0;
    let total = 0;
    for (const tenant of this.tenants.values()) total += tenant.byId.size;
    return total;
  }
}

/** Every (type, event) bucket a webhook sits in. */
function* slots(compiled: CompiledWebhook): Generator<[string | typeof ANY, EventKey]> {
  if (compiled.triggers !== undefined) {
    for (const [event, types] of compiled.triggers) for (const type of types) yield [type, event];
    return;
  }
  const types: (string | typeof ANY)[] = compiled.objectTypes.size > 0 ? [...compiled.objectTypes] : [ANY];
  const events: EventKey[] = compiled.events.size > 0 ? [...compiled.events] : [ANY];
  for (const type of types) for (const event of events) yield [type, event];
}
