import { randomUUID } from 'node:crypto';
import type { AttributeChange, AttributeValue, ChangeMessage } from '@hookline/contracts';
import { attributeId, attributeType, diffSnapshots } from '@hookline/matching';
import type { ChangeInput, RallyChangeInput, SnapshotChangeInput } from './dto/change-input';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Producer {
  tenant: string;
  subscriptionId: number;
}

/** Turns a validated input of either form into the change message published on CHANGES. */
export function toChangeMessage(change: ChangeInput, producer: Producer, now = new Date()): ChangeMessage {
  return change.form === 'rally' ? fromRally(change.input, producer, now) : fromSnapshot(change.input, producer, now);
}

function envelope(producer: Producer, now: Date) {
  return {
    message_version: 2,
    subscription_id: producer.subscriptionId,
    tenant: producer.tenant,
    ingested_at: now.toISOString(),
  };
}

function fromRally(input: RallyChangeInput, producer: Producer, now: Date): ChangeMessage {
  const state: Record<string, AttributeValue> = {};
  for (const [key, entry] of Object.entries(input.state)) {
    const [id, attr] = attribute(input.object_type, key, entry);
    state[id] = attr;
  }
  const changes: Record<string, AttributeChange> = {};
  for (const [key, entry] of Object.entries(input.changes ?? {})) {
    const [id, attr] = attribute(input.object_type, key, entry);
    changes[id] = {
      ...attr,
      old_value: entry.old_value ?? null,
      added: entry.added ?? null,
      removed: entry.removed ?? null,
    } as AttributeChange;
  }
  return {
    message_id: input.message_id,
    ...envelope(producer, now),
    action: input.action,
    object_id: input.object_id,
    object_type: input.object_type,
    ref: input.ref,
    detail_link: input.detail_link,
    project: input.project,
    transaction: input.transaction ?? { timestamp: now.getTime() },
    state,
    changes,
  };
}

/**
 * Producers that know only attribute names key entries by name: those get the stable UUIDv5 id
 * of (object type, name), so AttributeID expressions match every message of that attribute.
 */
function attribute(objectType: string, key: string, entry: Partial<AttributeValue>): [string, AttributeValue] {
  const name = entry.name ?? key;
  const id = UUID.test(key) ? key : attributeId(objectType, name);
  const value = entry.value ?? null;
  return [
    id,
    {
      value,
      type: entry.type ?? attributeType(value),
      name,
      display_name: entry.display_name ?? name,
      ref: entry.ref ?? null,
    },
  ];
}

function fromSnapshot(input: SnapshotChangeInput, producer: Producer, now: Date): ChangeMessage {
  const { state, changes } = diffSnapshots(input);
  const user = typeof input.user === 'string' ? { username: input.user } : input.user;
  return {
    message_id: input.message_id ?? randomUUID(),
    ...envelope(producer, now),
    action: input.action,
    object_id: input.object_id,
    object_type: input.object_type,
    ref: input.ref,
    detail_link: input.detail_link,
    project: input.project,
    transaction: { timestamp: now.getTime(), ...(user ? { user } : {}) },
    state,
    changes,
  };
}
