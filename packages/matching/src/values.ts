/**
 * Value semantics shared by Rally expressions and BMC conditions, so `=` means the same
 * thing in both languages: references compare by id or name, ISO strings compare as dates,
 * a number compares with a numeric string, and a collection "equals" a value it contains.
 */

/** Keys under which a reference object carries its identity (Rally WSAPI, change messages). */
const REFERENCE_ID_KEYS = ['id', 'ObjectUUID', '_refObjectUUID', 'uuid', 'ObjectID', '_ref', 'ref'] as const;
/** Keys under which a reference object carries its display name. */
const REFERENCE_NAME_KEYS = ['name', 'Name', '_refObjectName'] as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export type Reference = Record<string, unknown>;

export function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** Any non-array object in a message value is a reference (Project, State, User, ...). */
export function isReference(v: unknown): v is Reference {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Milliseconds since the epoch when `v` is an ISO-8601 date string, else undefined. */
export function isoDateMillis(v: unknown): number | undefined {
  if (typeof v !== 'string' || !ISO_DATE.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v);
  return undefined;
}

function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

const REFERENCE_KEYS = [...REFERENCE_ID_KEYS, ...REFERENCE_NAME_KEYS];

/** The strings a reference can be named by in an expression: its ids, refs and names. */
export function referenceKeys(ref: Reference): string[] {
  const keys: string[] = [];
  for (const k of REFERENCE_KEYS) {
    const v = ref[k];
    if (typeof v === 'string' || typeof v === 'number') keys.push(String(v));
  }
  return keys;
}

function referenceHasKey(ref: Reference, key: string): boolean {
  for (const k of REFERENCE_KEYS) {
    const v = ref[k];
    if (v === key || (typeof v === 'number' && String(v) === key)) return true;
  }
  return false;
}

/** The first id-like key of a reference, which two references must share to be equal. */
export function referenceIdentity(ref: Reference): string | undefined {
  for (const k of REFERENCE_ID_KEYS) {
    const v = ref[k];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return undefined;
}

/**
 * An expected value with its readings as number, date, boolean and reference key worked
 * out once, so an expression compiled with it does no parsing per message.
 */
export interface Prepared {
  readonly raw: unknown;
  readonly list?: readonly Prepared[];
  readonly num?: number;
  readonly millis?: number;
  readonly bool?: boolean;
  readonly key?: string;
}

export function prepare(raw: unknown): Prepared {
  if (Array.isArray(raw)) return { raw, list: raw.map(prepare) };
  return {
    raw,
    num: asNumber(raw),
    millis: isoDateMillis(raw),
    bool: asBoolean(raw),
    key: typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined,
  };
}

/**
 * Orders a value against a prepared one: numbers (or a number and a numeric string)
 * numerically, two ISO dates chronologically, other strings by code unit. Undefined when
 * they cannot be ordered (null, references, booleans, collections, mixed kinds).
 */
export function comparePrepared(actual: unknown, expected: Prepared): number | undefined {
  const b = expected.raw;
  if (typeof actual === 'number' || typeof b === 'number') {
    const x = asNumber(actual);
    const y = expected.num;
    return x === undefined || y === undefined ? undefined : Math.sign(x - y);
  }
  if (typeof actual === 'string' && typeof b === 'string') {
    if (expected.millis !== undefined) {
      const x = isoDateMillis(actual);
      if (x !== undefined) return Math.sign(x - expected.millis);
    }
    return actual < b ? -1 : actual > b ? 1 : 0;
  }
  return undefined;
}

export function compareValues(a: unknown, b: unknown): number | undefined {
  return comparePrepared(a, prepare(b));
}

/**
 * Whether an attribute value equals a prepared expected value. A reference equals any of
 * its ids, refs or names; a collection equals a value when one of its elements does; an
 * expected list is matched by any of its values; null equals only null; a boolean also
 * equals "true"/"false"; otherwise values are equal when they order as equal.
 */
export function equalsPrepared(actual: unknown, expected: Prepared): boolean {
  if (Array.isArray(actual)) return actual.some((element) => equalsPrepared(element, expected));
  if (expected.list !== undefined) return expected.list.some((e) => equalsPrepared(actual, e));
  const b = expected.raw;
  if (isNullish(actual) || isNullish(b)) return isNullish(actual) && isNullish(b);
  if (isReference(actual)) {
    if (!isReference(b)) return expected.key !== undefined && referenceHasKey(actual, expected.key);
    const x = referenceIdentity(actual);
    return x !== undefined ? x === referenceIdentity(b) : deepEqual(actual, b);
  }
  if (isReference(b))
    return (typeof actual === 'string' || typeof actual === 'number') && referenceHasKey(b, String(actual));
  if (actual === b) return true;
  if (typeof actual === 'boolean' || typeof b === 'boolean') {
    const x = asBoolean(actual);
    return x !== undefined && x === expected.bool;
  }
  return comparePrepared(actual, expected) === 0;
}

export function valueEquals(actual: unknown, expected: unknown): boolean {
  return equalsPrepared(actual, prepare(expected));
}

/** Structural equality for JSON-like values (and Date instances), used by the snapshot diff. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  const bo = b as Record<string, unknown>;
  const ao = a as Record<string, unknown>;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}

/** A short human description of a value for "why did this clause fail" reasons. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) {
    return v.length <= 5 ? `[${v.map(describeValue).join(', ')}]` : `[${v.length} items]`;
  }
  if (isReference(v)) {
    const name = REFERENCE_NAME_KEYS.map((k) => v[k]).find((x) => typeof x === 'string');
    const id = referenceIdentity(v);
    if (name === undefined) return id ?? 'an object';
    return id === undefined ? describeValue(name) : `${describeValue(name)} (${id})`;
  }
  if (v instanceof Date) return v.toISOString();
  return String(v);
}
