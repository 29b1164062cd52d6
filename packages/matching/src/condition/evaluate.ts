import type { AttributeValue } from '@hookline/contracts';
import { MessageView } from '../attributes';
import { compareValues, describeValue, isReference, referenceKeys, valueEquals } from '../values';
import type { ComparisonOperator, ConditionNode, ConditionOperand } from './ast';
import { printCondition, printOperand } from './printer';

/** A missing field reads as $NULL$, so `${webhookContext.4} = $NULL$` holds for "unassigned". */
function resolve(o: ConditionOperand, view: MessageView): unknown {
  switch (o.kind) {
    case 'field':
      return view.field(o.field)?.value ?? null;
    case 'string':
    case 'number':
      return o.value;
    case 'null':
      return null;
  }
}

/** `%` matches any run of characters; everything else matches itself, case-sensitively. */
export function likeMatch(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '%') {
      star = p++;
      mark = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '%') p++;
  return p === pattern.length;
}

/** The texts a value can be LIKE-matched by: references by id or name, collections by element. */
function likeTexts(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) return v.flatMap(likeTexts);
  if (isReference(v)) return referenceKeys(v);
  return [];
}

function holds(op: ComparisonOperator, left: unknown, right: unknown): boolean {
  switch (op) {
    case '=':
      return valueEquals(left, right);
    case '!=':
      return !valueEquals(left, right);
    case 'LIKE': {
      if (typeof right !== 'string' && typeof right !== 'number') return false;
      const pattern = String(right);
      return likeTexts(left).some((text) => likeMatch(text, pattern));
    }
    default: {
      const c = compareValues(left, right);
      if (c === undefined) return false;
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
  }
}

/**
 * Evaluates a parsed condition against a message's `state`. Field references resolve by
 * attribute id first, then by attribute name; values compare as in Rally expressions.
 */
export function evaluateCondition(node: ConditionNode, message: { state: Record<string, AttributeValue> }): boolean {
  return conditionHolds(node, new MessageView(message.state));
}

/** evaluateCondition on a MessageView shared with the webhook's other clauses. */
export function conditionHolds(node: ConditionNode, view: MessageView): boolean {
  switch (node.kind) {
    case 'compare':
      return holds(node.op, resolve(node.left, view), resolve(node.right, view));
    case 'not':
      return !conditionHolds(node.operand, view);
    case 'and':
      return node.operands.every((o) => conditionHolds(o, view));
    case 'or':
      return node.operands.some((o) => conditionHolds(o, view));
  }
}

/** Why a condition that evaluated to false did so, naming the comparisons that decided it. */
export function explainCondition(node: ConditionNode, view: MessageView): string {
  switch (node.kind) {
    case 'compare': {
      const side = (o: ConditionOperand): string =>
        o.kind === 'field' ? `${printOperand(o)} (${describeValue(resolve(o, view))})` : printOperand(o);
      return `${side(node.left)} ${node.op} ${side(node.right)} is false`;
    }
    case 'not':
      return `NOT is false because ${printCondition(node.operand)} is true`;
    case 'and': {
      const failed = node.operands.find((o) => !conditionHolds(o, view));
      return failed === undefined ? 'condition is true' : explainCondition(failed, view);
    }
    case 'or':
      return node.operands.map((o) => explainCondition(o, view)).join('; ');
  }
}
