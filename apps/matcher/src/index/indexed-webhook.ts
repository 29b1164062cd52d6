import { opaqueFieldsOf, WebhookEvent, type DeliverySpec, type WebhookView } from '@hookline/contracts';
import type { WebhookDefinition, WebhookRule } from '@hookline/matching';
import { compilePayloadCheck, toInstance } from '@hookline/messaging';
import { validateSync } from 'class-validator';
import { isLegacyWebhookEvent, legacyDeliverySpecOf } from './legacy-webhook-event';

/** What the matcher keeps of one webhook: its matching definition and what a delivery job needs. */
export interface IndexedWebhook {
  def: WebhookDefinition;
  rule: WebhookRule;
  spec: DeliverySpec;
  objectVersion: number;
}

/** A WEBHOOKS event the index cannot take: it names the event and what is wrong with it. */
export class MalformedWebhookEventError extends Error {}

const OPAQUE = opaqueFieldsOf(WebhookEvent);
// The consumers' compiled check first: the whole index is read at every start, and class-validator,
// many times dearer, is then needed only to name the faults of what the check refuses.
const quickCheck = compilePayloadCheck(WebhookEvent);

/**
 * What a WEBHOOKS event asks of the index: forget the webhook, or index it as given. The spec is
 * the registry's, taken as it is; only events stored before it was carried are rebuilt from their
 * sealed secrets (legacy-webhook-event.ts). Throws MalformedWebhookEventError for anything else.
 */
export function indexChangeOf(
  raw: unknown,
): { remove: true; event: WebhookEvent } | { remove: false; event: WebhookEvent; entry: IndexedWebhook } {
  const errors = quickCheck?.(raw) ? [] : validateSync(toInstance(WebhookEvent, raw, OPAQUE));
  if (errors.length > 0)
    throw new MalformedWebhookEventError(`webhook event refused: ${errors.map((e) => e.property).join(', ')} invalid`);
  const event = raw as WebhookEvent;
  if (event.kind === 'deleted') return { remove: true, event };
  const spec = event.spec ?? (isLegacyWebhookEvent(raw) ? legacyDeliverySpecOf(raw) : undefined);
  if (!event.webhook || !spec)
    throw new MalformedWebhookEventError(`webhook ${event.webhookId}: a ${event.kind} event without webhook or spec`);
  return { remove: false, event, entry: indexedWebhookOf(event, event.webhook, spec) };
}

function indexedWebhookOf(event: WebhookEvent, webhook: WebhookView, spec: DeliverySpec): IndexedWebhook {
  return {
    objectVersion: event.objectVersion,
    def: {
      id: event.webhookId,
      tenant: event.tenant,
      ObjectTypes: webhook.ObjectTypes,
      Events: webhook.Events,
      Triggers: webhook.Triggers,
      Expressions: webhook.Expressions,
      Condition: webhook.Condition,
      Disabled: webhook.Disabled,
      // The registry stores "no Fields" as an empty list; the engine reads that as "basic fields only".
      Fields: webhook.Fields.length > 0 ? webhook.Fields : undefined,
      IncludeAllFields: webhook.IncludeAllFields,
      PayloadFormat: webhook.PayloadFormat,
      Dialect: webhook.Dialect ?? undefined,
    },
    rule: webhook,
    spec,
  };
}
