import { randomUUID } from 'node:crypto';
import type { WebhookRecord } from './webhook.schema';

/** The Rally-shaped change message a test delivery carries, made to look like a change the webhook cares about. */
export function sampleChangeMessage(webhook: WebhookRecord, messageId: string): Record<string, unknown> {
  const objectId = randomUUID();
  const objectType = webhook.ObjectTypes[0] ?? 'HierarchicalRequirement';
  const nameAttribute = randomUUID();
  return {
    message_id: messageId,
    message_version: 2,
    subscription_id: webhook.SubscriptionID,
    action: 'Updated',
    object_id: objectId,
    object_type: objectType,
    test: true,
    transaction: { timestamp: Date.now(), trace_id: randomUUID(), user: null },
    state: {
      [nameAttribute]: {
        value: 'Hookline test delivery',
        type: 'String',
        name: 'Name',
        display_name: 'Name',
        ref: null,
      },
    },
    changes: {
      [nameAttribute]: {
        value: 'Hookline test delivery',
        old_value: 'Hookline test delivery (before)',
        added: null,
        removed: null,
        type: 'String',
        name: 'Name',
        display_name: 'Name',
        ref: null,
      },
    },
  };
}
