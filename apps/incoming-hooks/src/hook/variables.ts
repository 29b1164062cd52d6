/** Types a hook variable can have (Devopness seed). */
export const VARIABLE_TYPES = ['string', 'integer', 'number', 'boolean'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

export type VariableValue = string | number | boolean;

/** A variable as stored: `default_value` already coerced to `type`. */
export interface VariableDefinition {
  name: string;
  path: string | null;
  type: VariableType;
  required: boolean;
  default_value: VariableValue | null;
}

export type PathSegment = string | number;

/**
 * Parses `pull_request.head.ref`, `commits[0].id` or `commits.0.id`. A bare number segment is an
 * array index or an object key alike, so both spellings work on both kinds of container.
 */
export function parsePath(path: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) return undefined;
    const [, key, indexes] = match;
    if (key === '' && indexes === '') return undefined;
    if (key !== '') segments.push(key!);
    for (const index of indexes!.matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

/** The value at `segments`, or undefined when any step is missing. */
export function valueAt(payload: unknown, segments: PathSegment[]): unknown {
  let current: unknown = payload;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : NaN;
      current = Number.isInteger(index) ? current[index] : undefined;
    } else if (typeof current === 'object' && current !== null) {
      current = Object.hasOwn(current, String(segment))
        ? (current as Record<string, unknown>)[String(segment)]
        : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

export type Coerced = { ok: true; value: VariableValue } | { ok: false; reason: string };

/**
 * Converts a payload value to the variable's type. Strings that spell a number or boolean are
 * accepted, because senders and form-encoded payloads often quote them; objects never are.
 */
export function coerce(value: unknown, type: VariableType): Coerced {
  const fail = (): Coerced => ({ ok: false, reason: `${describe(value)} cannot be read as ${type}` });
  switch (type) {
    case 'string':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return fail();
    case 'integer': {
      const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
      return typeof n === 'number' && Number.isSafeInteger(n) ? { ok: true, value: n } : fail();
    }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? { ok: true, value: n } : fail();
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const text =
        typeof value === 'string' ? value.trim().toLowerCase() : typeof value === 'number' ? String(value) : undefined;
      if (text === 'true' || text === '1') return { ok: true, value: true };
      if (text === 'false' || text === '0') return { ok: true, value: false };
      return fail();
    }
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

export interface VariableProblem {
  variable: string;
  reason: string;
}

export type Extraction =
  { ok: true; variables: Record<string, VariableValue> } | { ok: false; problems: VariableProblem[] };

/**
 * The run's variables from a payload: each taken by path and coerced, else its default. A missing
 * optional variable without a default is left out. Every problem is reported, not only the first.
 */
export function extractVariables(definitions: VariableDefinition[], payload: unknown): Extraction {
  const variables: Record<string, VariableValue> = {};
  const problems: VariableProblem[] = [];
  for (const definition of definitions) {
    const segments = definition.path === null ? undefined : parsePath(definition.path);
    const found = segments === undefined ? undefined : valueAt(payload, segments);
    if (found === undefined || found === null) {
      if (definition.default_value !== null) variables[definition.name] = definition.default_value;
      else if (definition.required)
        problems.push({
          variable: definition.name,
          reason: `is required: nothing at ${definition.path ?? '(no path)'}`,
        });
      continue;
    }
    const coerced = coerce(found, definition.type);
    if (coerced.ok) variables[definition.name] = coerced.value;
    else problems.push({ variable: definition.name, reason: `${coerced.reason} (at ${definition.path})` });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, variables };
}
