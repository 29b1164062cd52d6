import { randomUUID } from 'node:crypto';
import type { ChangeMessage } from '@hookline/contracts';
import { diffSnapshots, type WebhookEventType } from '@hookline/matching';
import type { WebhookRecord } from '../webhook/webhook.schema';

/**
 * The change message a test delivery carries: a sample record of a type and event the webhook
 * fires for (an update when it takes updates, so before/after changes show), holding the
 * attributes its Fields name, so the dialect shapes it as it shapes a real change. `test: true`
 * marks it in the Rally layout; the `test-` delivery id marks it in every layout.
 */
export function sampleChangeMessage(webhook: WebhookRecord, messageId: string): ChangeMessage {
  const objectId = randomUUID();
  const trigger = webhook.Triggers.find((t) => t.Event === 'Updated') ?? webhook.Triggers[0];
  const objectType = trigger?.ObjectType ?? webhook.ObjectTypes[0] ?? 'HierarchicalRequirement';
  const events: readonly WebhookEventType[] = trigger ? [trigger.Event] : webhook.Events;
  const action = events.length === 0 || events.includes('Updated') ? 'Updated' : events[0];
  const listed = Object.fromEntries(webhook.Fields.map((field) => [String(field), `sample ${String(field)}`]));
  const after = { ObjectID: objectId, Name: 'Hookline test delivery', ...listed };
  const before = { ...after, Name: 'Hookline test delivery (before)' };
  const { state, changes } = diffSnapshots({
    action,
    object_type: objectType,
    before: action === 'Created' ? null : before,
    after: action === 'Deleted' ? null : after,
  });
  const message: ChangeMessage & { test: true } = {
    message_id: messageId,
    message_version: 2,
    subscription_id: webhook.SubscriptionID,
    tenant: String(webhook.SubscriptionID),
    action,
    object_id: objectId,
    object_type: objectType,
    test: true,
    transaction: { timestamp: Date.now(), trace_id: randomUUID(), user: null },
    state,
    changes,
    ingested_at: new Date().toISOString(),
  };
  return message;
}
