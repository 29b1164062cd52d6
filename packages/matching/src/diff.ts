import type { AttributeChange, AttributeValue, ChangeAction } from '@hookline/contracts';
import { normalizeObjectType } from './webhook';
import { uuidv5 } from './uuid';
import { deepEqual, isNullish, isoDateMillis, isReference, referenceIdentity } from './values';

/**
 * Namespace of Hookline attribute ids. Fixed forever: changing it would change every
 * attribute id, and AttributeID expressions saved by users would stop matching.
 */
export const ATTRIBUTE_ID_NAMESPACE = '450910fc-be52-49ca-9969-c2564bec4bc3';

type Snapshot = Record<string, unknown>;

/** A producer's change as change-ingest receives it: whole-object snapshots. */
export interface SnapshotChange {
  action: ChangeAction;
  object_type: string;
  before?: Snapshot | null;
  after?: Snapshot | null;
}

export interface StateAndChanges {
  state: Record<string, AttributeValue>;
  changes: Record<string, AttributeChange>;
}

// Ids are hashed per attribute per message; the set of (type, attribute) pairs is small.
const ID_CACHE_LIMIT = 10_000;
const idCache = new Map<string, string>();

/**
 * The stable id of an attribute of an object type: a UUIDv5 of both, so the same attribute
 * gets the same id in every message. The type is normalised like ObjectTypes
 * ("PortfolioItem/Feature" = "feature"); the attribute name is case-sensitive.
 */
export function attributeId(objectType: string, attributeName: string): string {
  const name = JSON.stringify([normalizeObjectType(objectType), attributeName]);
  let id = idCache.get(name);
  if (id === undefined) {
    if (idCache.size >= ID_CACHE_LIMIT) idCache.clear();
    id = uuidv5(name, ATTRIBUTE_ID_NAMESPACE);
    idCache.set(name, id);
  }
  return id;
}

/**
 * A Rally-style type name for a snapshot value. References are typed by their own
 * `_type`/`object_type`; a null value has no type of its own.
 */
export function attributeType(value: unknown): string {
  if (isNullish(value)) return 'Unknown';
  if (Array.isArray(value)) return 'Collection';
  if (value instanceof Date) return 'Date';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Decimal';
  if (typeof value === 'string') return isoDateMillis(value) === undefined ? 'String' : 'Date';
  if (isReference(value)) {
    const own = value._type ?? value.object_type;
    return typeof own === 'string' ? own : 'Object';
  }
  return 'Unknown';
}

function typeOf(value: unknown, other: unknown): string {
  return attributeType(isNullish(value) ? other : value);
}

/** Collections are sets: references are the same element when their ids are. */
function sameElement(x: unknown, y: unknown): boolean {
  if (isReference(x) && isReference(y)) {
    const id = referenceIdentity(x);
    if (id !== undefined) return id === referenceIdentity(y);
  }
  return deepEqual(x, y);
}

function without(from: unknown[], other: unknown[]): unknown[] {
  return from.filter((x) => !other.some((y) => sameElement(x, y)));
}

function entry(objectType: string, name: string, value: unknown, other: unknown): [string, AttributeValue] {
  return [attributeId(objectType, name), { value, type: typeOf(value, other), name, display_name: name, ref: null }];
}

/**
 * Computes Rally-shape `state` and `changes` from before/after snapshots, keyed by
 * attributeId(object_type, attribute name).
 *
 * - `state` is `after`, or `before` for Deleted and Recycled (the object is gone).
 * - Updated: an attribute changed when its values differ (absent and null are the same).
 *   Scalars and references get `old_value` and `added: null, removed: null`, as in Rally's own
 *   messages; collections (arrays) get `added`/`removed` and `old_value: null`, and a
 *   collection only reordered has not changed.
 * - Created: every attribute with a value counts as changed from nothing, so
 *   `changed-to` expressions fire on creation.
 * - Deleted/Recycled: no changes.
 */
export function diffSnapshots(change: SnapshotChange): StateAndChanges {
  const gone = change.action === 'Deleted' || change.action === 'Recycled';
  const current = (gone ? (change.before ?? change.after) : change.after) ?? {};
  const previous = change.action === 'Updated' ? (change.before ?? {}) : {};
  const state: Record<string, AttributeValue> = {};
  const changes: Record<string, AttributeChange> = {};

  for (const [name, value] of Object.entries(current)) {
    const [id, attr] = entry(change.object_type, name, value ?? null, previous[name]);
    state[id] = attr;
  }
  if (gone) return { state, changes };

  const names = new Set([...Object.keys(current), ...Object.keys(previous)]);
  for (const name of names) {
    const value = current[name] ?? null;
    const old = previous[name] ?? null;
    if (deepEqual(value, old)) continue;
    const [id, attr] = entry(change.object_type, name, value, old);
    if (Array.isArray(value) || Array.isArray(old)) {
      const now = Array.isArray(value) ? value : [];
      const before = Array.isArray(old) ? old : [];
      const added = without(now, before);
      const removed = without(before, now);
      if (added.length === 0 && removed.length === 0) continue;
      changes[id] = { ...attr, old_value: null, added, removed };
    } else {
      changes[id] = { ...attr, old_value: old, added: null, removed: null };
    }
  }
  return { state, changes };
}
