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

/**
 * Checks one submitted change and says which form it is. Every problem is reported with its
 * field path (prefixed by the item's index in a batch), so a producer can fix them all at once.
 */
export function parseChangeInput(raw: unknown, path: string): { change?: ChangeInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (!isObject(raw)) return { problems: [{ field: path || 'body', reason: 'must be a JSON object' }] };

  if (!CHANGE_ACTIONS.includes(raw.action as ChangeAction)) {
    problems.push({ field: at('action'), reason: `must be one of ${CHANGE_ACTIONS.join(', ')}` });
  }
  if (!isText(raw.object_id)) problems.push({ field: at('object_id'), reason: 'is required (a non-empty string)' });
  if (!isText(raw.object_type)) problems.push({ field: at('object_type'), reason: 'is required (a non-empty string)' });
  for (const field of ['ref', 'detail_link'] as const) {
    if (raw[field] !== undefined && raw[field] !== null && typeof raw[field] !== 'string') {
      problems.push({ field: at(field), reason: 'must be a string' });
    }
  }
  if (raw.project !== undefined && raw.project !== null && !isObject(raw.project)) {
    problems.push({ field: at('project'), reason: 'must be an object' });
  }

  const snapshot = 'before' in raw || 'after' in raw;
  if (snapshot) {
    if (raw.message_id !== undefined && !isText(raw.message_id)) {
      problems.push({ field: at('message_id'), reason: 'must be a non-empty string when given' });
    }
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

  if (!isText(raw.message_id)) problems.push({ field: at('message_id'), reason: 'is required (a non-empty string)' });
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
