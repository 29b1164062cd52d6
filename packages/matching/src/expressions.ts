import type { AttributeChange, AttributeValue } from '@hookline/contracts';
import { MessageView, type AttributeSelector, type MatchableMessage } from './attributes';
import { comparePrepared, describeValue, equalsPrepared, isNullish, prepare } from './values';

/** The 13 operators of the Rally seed, grouped by what their Value must be. */
export const SCALAR_OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'changed-to', 'changed-from'] as const;
export const LIST_OPERATORS = ['~', '!~'] as const;
export const VALUELESS_OPERATORS = ['has', '!has', 'changed'] as const;
export const OPERATORS = [...SCALAR_OPERATORS, ...LIST_OPERATORS, ...VALUELESS_OPERATORS] as const;

export type Operator = (typeof OPERATORS)[number];

/** A Rally webhook expression, as sent to and returned by the registry API. */
export interface Expression {
  AttributeID?: string | null;
  AttributeName?: string | null;
  Operator: string;
  Value?: unknown;
}

/** One validation finding, addressed like `Expressions[2].Value`. */
export interface Problem {
  field: string;
  reason: string;
}

/** The outcome of one clause; a failure says why, for dry runs ("which clause failed"). */
export type ClauseResult = { ok: true } | { ok: false; reason: string };

/**
 * An expression compiled once per webhook. `test` is the hot path; `explain` says why
 * `test` failed and is only worth its string-building for the clause a dry run reports.
 */
export interface CompiledExpression {
  test(view: MessageView): boolean;
  explain(view: MessageView): string;
}

function isOperator(op: unknown): op is Operator {
  return (OPERATORS as readonly unknown[]).includes(op);
}

function isScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function present(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0;
}

/**
 * Checks one expression against the seed's rules: exactly one of AttributeID/AttributeName,
 * a known Operator, and a Value shaped for that operator. Null counts as absent, because the
 * API echoes unset attributes as null (`"AttributeID": null`).
 */
export function validateExpression(e: unknown, index: number): Problem[] {
  const at = `Expressions[${index}]`;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) {
    return [{ field: at, reason: 'must be an object' }];
  }
  const expr = e as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const key of ['AttributeID', 'AttributeName'] as const) {
    const v = expr[key];
    if (!isNullish(v) && !present(v)) problems.push({ field: `${at}.${key}`, reason: 'must be a non-empty string' });
  }
  const byId = present(expr.AttributeID);
  const byName = present(expr.AttributeName);
  if (byId && byName) {
    problems.push({ field: at, reason: 'give exactly one of AttributeID or AttributeName, not both' });
  } else if (!byId && !byName && isNullish(expr.AttributeID) && isNullish(expr.AttributeName)) {
    problems.push({ field: at, reason: 'one of AttributeID or AttributeName is required' });
  }

  const op = expr.Operator;
  if (!isOperator(op)) {
    problems.push({ field: `${at}.Operator`, reason: `must be one of ${OPERATORS.join(' ')}` });
    return problems;
  }
  const value = expr.Value;
  if ((VALUELESS_OPERATORS as readonly string[]).includes(op)) {
    if (!isNullish(value)) problems.push({ field: `${at}.Value`, reason: `operator ${op} takes no Value` });
  } else if ((LIST_OPERATORS as readonly string[]).includes(op)) {
    if (!Array.isArray(value) || value.length === 0) {
      problems.push({ field: `${at}.Value`, reason: `operator ${op} needs a non-empty array of values` });
    } else {
      value.forEach((v, i) => {
        if (!isScalar(v)) problems.push({ field: `${at}.Value[${i}]`, reason: 'must be a string, number or boolean' });
      });
    }
  } else if (isNullish(value)) {
    problems.push({ field: `${at}.Value`, reason: `operator ${op} needs a Value` });
  } else if (!isScalar(value)) {
    problems.push({ field: `${at}.Value`, reason: 'must be a string, number or boolean' });
  }
  return problems;
}

function selectorOf(e: Expression): AttributeSelector {
  return present(e.AttributeID) ? { id: e.AttributeID as string } : { name: e.AttributeName ?? '' };
}

function isCollectionChange(change: AttributeChange): boolean {
  return Array.isArray(change.added) || Array.isArray(change.removed);
}

const ORDERINGS: Record<'<' | '<=' | '>' | '>=', (c: number) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

/**
 * Turns an expression into a test of a message. Value operators read `state` (the
 * object after the change), `changed*` operators read `changes`.
 *
 * Where the seed is silent:
 * - an attribute the object does not have fails every value operator except `!has`, even
 *   `!=` and `!~` (there is nothing to compare), while a null value satisfies `!=`/`!~`;
 * - on a collection, `=`/`~` mean "contains", `changed-to`/`changed-from` mean "was
 *   added"/"was removed";
 * - `<`, `>` and friends only order numbers, ISO dates and strings; references, booleans,
 *   null and collections never satisfy them.
 */
export function compileExpression(e: Expression): CompiledExpression {
  const selector = selectorOf(e);
  const label = 'id' in selector ? `attribute ${selector.id}` : selector.name;
  const name = (entry: AttributeValue): string => entry.name || label;
  const op = e.Operator;
  const expected = prepare(e.Value);
  const shown = describeValue(e.Value);

  /** A test of the attribute's value in `state`; a missing attribute fails it. */
  const onState = (holds: (actual: unknown) => boolean, why: (actual: unknown) => string): CompiledExpression => ({
    test: (view) => {
      const entry = view.state(selector);
      return entry !== undefined && holds(entry.value);
    },
    explain: (view) => {
      const entry = view.state(selector);
      return entry === undefined ? `${label} is missing` : `${name(entry)} ${why(entry.value)}`;
    },
  });
  /** A test of the attribute's entry in `changes`; an unchanged attribute fails it. */
  const onChange = (
    holds: (change: AttributeChange) => boolean,
    why: (change: AttributeChange) => string,
  ): CompiledExpression => ({
    test: (view) => {
      const change = view.change(selector);
      return change !== undefined && holds(change);
    },
    explain: (view) => {
      const change = view.change(selector);
      return change === undefined ? `${label} did not change` : `${name(change)} ${why(change)}`;
    },
  });
  const is = (actual: unknown): string => `is ${describeValue(actual)}, expected ${op} ${shown}`;

  switch (op) {
    case '=':
      return onState((actual) => equalsPrepared(actual, expected), is);
    case '!=':
      return onState((actual) => !equalsPrepared(actual, expected), is);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const ordered = ORDERINGS[op];
      return onState(
        (actual) => {
          const c = comparePrepared(actual, expected);
          return c !== undefined && ordered(c);
        },
        (actual) =>
          comparePrepared(actual, expected) === undefined
            ? `is ${describeValue(actual)}, which cannot be ordered against ${shown}`
            : is(actual),
      );
    }
    case '~':
    case '!~': {
      const want = op === '~';
      // A lone Value still means a list of one; validation would have rejected it.
      const list = expected.list === undefined ? prepare([e.Value]) : expected;
      return onState(
        (actual) => equalsPrepared(actual, list) === want,
        (actual) => `is ${describeValue(actual)}, expected ${want ? 'one' : 'none'} of ${describeValue(list.raw)}`,
      );
    }
    case 'has':
      return onState(
        (actual) => !isNullish(actual),
        () => 'has no value',
      );
    case '!has':
      return {
        test: (view) => isNullish(view.state(selector)?.value),
        explain: (view) => {
          const entry = view.state(selector);
          return `${entry === undefined ? label : name(entry)} has the value ${describeValue(entry?.value)}`;
        },
      };
    case 'changed':
      return onChange(
        () => true,
        () => 'changed',
      );
    case 'changed-to':
      return onChange(
        (change) =>
          isCollectionChange(change)
            ? (change.added ?? []).some((v) => equalsPrepared(v, expected))
            : equalsPrepared(change.value, expected),
        (change) =>
          isCollectionChange(change)
            ? `gained ${describeValue(change.added ?? [])}, not ${shown}`
            : `changed to ${describeValue(change.value)}, not ${shown}`,
      );
    case 'changed-from':
      return onChange(
        (change) =>
          isCollectionChange(change)
            ? (change.removed ?? []).some((v) => equalsPrepared(v, expected))
            : equalsPrepared(change.old_value, expected),
        (change) =>
          isCollectionChange(change)
            ? `lost ${describeValue(change.removed ?? [])}, not ${shown}`
            : `changed from ${describeValue(change.old_value)}, not ${shown}`,
      );
    default:
      return { test: () => false, explain: () => `unknown operator ${JSON.stringify(op)}` };
  }
}

/** One-off evaluation; a webhook compiles its expressions once instead. */
export function evaluateExpression(e: Expression, message: Pick<MatchableMessage, 'state' | 'changes'>): ClauseResult {
  const compiled = compileExpression(e);
  const view = new MessageView(message.state, message.changes);
  return compiled.test(view) ? { ok: true } : { ok: false, reason: compiled.explain(view) };
}
