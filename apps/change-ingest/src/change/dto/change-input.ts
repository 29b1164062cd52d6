import { CHANGE_ACTIONS, type AttributeChange, type AttributeValue, type ChangeAction } from '@hookline/contracts';
import type { FieldProblem } from '@hookline/service-kit';

/** Form 1: a full change message in the Rally shape. */
export interface RallyChangeInput {
  message_id: string;
  action: ChangeAction;
  object_id: string;
  object_type: string;
  ref?: string;
  detail_link?: string;
  project?: Record<string, unknown>;
  transaction?: Record<string, unknown>;
  state: Record<string, Partial<AttributeValue>>;
  changes?: Record<string, Partial<AttributeChange>>;
}

/** Form 2: before/after snapshots, as Octane/BMC/ChangeGear systems hold records. */
export interface SnapshotChangeInput {
  message_id?: string;
  action: ChangeAction;
  object_type: string;
  object_id: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  user?: Record<string, unknown> | string;
  project?: Record<string, unknown>;
  ref?: string;
  detail_link?: string;
}

export type ChangeInput = { form: 'rally'; input: RallyChangeInput } | { form: 'snapshot'; input: SnapshotChangeInput };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** The top-level fields of Rally's change message (seed), `message_version` and `subscription_id` ignored. */
const RALLY_FIELDS = [
  'message_id',
  'message_version',
  'subscription_id',
  'action',
  'object_id',
  'object_type',
  'ref',
  'detail_link',
  'project',
  'transaction',
  'state',
  'changes',
];
/** The top-level fields of the snapshot form. */
const SNAPSHOT_FIELDS = [
  'message_id',
  'action',
  'object_type',
  'object_id',
  'before',
  'after',
  'user',
  'project',
  'ref',
  'detail_link',
];

/** Longest `message_id` and `object_id`; Rally's are UUIDs and object ids, far shorter. */
export const MAX_ID_LENGTH = 256;
/** Longest `object_type`: a type name, and a token of the CHANGES subject. */
export const MAX_OBJECT_TYPE_LENGTH = 128;

/**
 * Why an identifier is unusable, or undefined. `message_id` becomes the Nats-Msg-Id header, so it
 * is printable ASCII; the others may be any text but control characters, which no system's ids hold.
 */
function idProblem(value: unknown, max: number, ascii: boolean): string | undefined {
  if (!isText(value)) return 'is required (a non-empty string)';
  if (value.length > max) return `must be at most ${max} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  if (ascii ? /[^\x20-\x7e]/.test(value) : /[\u0000-\u001f\u007f-\u009f]/.test(value))
    return ascii ? 'must be printable ASCII' : 'must not contain control characters';
  return undefined;
}

/**
 * Checks one submitted change and says which form it is. Every problem is reported with its
 * field path (prefixed by the item's index in a batch), so a producer can fix them all at once.
 */
export function parseChangeInput(raw: unknown, path: string): { change?: ChangeInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (!isObject(raw)) return { problems: [{ field: path || 'body', reason: 'must be a JSON object' }] };

  const snapshot = 'before' in raw || 'after' in raw;
  const known = snapshot ? SNAPSHOT_FIELDS : RALLY_FIELDS;
  for (const key of Object.keys(raw).filter((k) => !known.includes(k)))
    problems.push({
      field: at(key.slice(0, 64)),
      reason: snapshot
        ? `is not a field of the snapshot form (${SNAPSHOT_FIELDS.join(', ')})`
        : `is not a field of Rally's change message (${RALLY_FIELDS.join(', ')}; or send before/after snapshots)`,
    });
  if (!CHANGE_ACTIONS.includes(raw.action as ChangeAction)) {
    problems.push({ field: at('action'), reason: `must be one of ${CHANGE_ACTIONS.join(', ')}` });
  }
  const objectId = idProblem(raw.object_id, MAX_ID_LENGTH, false);
  if (objectId) problems.push({ field: at('object_id'), reason: objectId });
  const objectType = idProblem(raw.object_type, MAX_OBJECT_TYPE_LENGTH, false);
  if (objectType) problems.push({ field: at('object_type'), reason: objectType });
  for (const field of ['ref', 'detail_link'] as const) {
    if (raw[field] !== undefined && raw[field] !== null && typeof raw[field] !== 'string') {
      problems.push({ field: at(field), reason: 'must be a string' });
    }
  }
  if (raw.project !== undefined && raw.project !== null && !isObject(raw.project)) {
    problems.push({ field: at('project'), reason: 'must be an object' });
  }

  if (snapshot) {
    const messageId = raw.message_id === undefined ? undefined : idProblem(raw.message_id, MAX_ID_LENGTH, true);
    if (messageId) problems.push({ field: at('message_id'), reason: `${messageId} when given` });
    for (const field of ['before', 'after'] as const) {
      if (raw[field] !== undefined && raw[field] !== null && !isObject(raw[field])) {
        problems.push({ field: at(field), reason: 'must be an object or null' });
      }
    }
    const needs = raw.action === 'Created' || raw.action === 'Updated' ? 'after' : 'before';
    if (CHANGE_ACTIONS.includes(raw.action as ChangeAction) && !isObject(raw[needs])) {
      problems.push({ field: at(needs), reason: `is required for ${String(raw.action)}` });
    }
    if (raw.action === 'Updated' && !isObject(raw.before)) {
      problems.push({ field: at('before'), reason: 'is required for Updated (changes are computed from it)' });
    }
    return problems.length
      ? { problems }
      : { change: { form: 'snapshot', input: raw as unknown as SnapshotChangeInput }, problems };
  }

  const messageId = idProblem(raw.message_id, MAX_ID_LENGTH, true);
  if (messageId) problems.push({ field: at('message_id'), reason: messageId });
  if (!isObject(raw.state)) {
    problems.push({
      field: at('state'),
      reason: 'is required: an object keyed by attribute id (or send before/after snapshots)',
    });
  } else {
    for (const [key, entry] of Object.entries(raw.state)) {
      if (!isObject(entry) || !('value' in entry))
        problems.push({ field: at(`state.${key}`), reason: 'must be an object with a value' });
    }
  }
  if (raw.changes !== undefined && !isObject(raw.changes))
    problems.push({ field: at('changes'), reason: 'must be an object' });
  return problems.length
    ? { problems }
    : { change: { form: 'rally', input: raw as unknown as RallyChangeInput }, problems };
}
