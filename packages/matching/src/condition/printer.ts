import type { ConditionNode, ConditionOperand } from './ast';

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function printOperand(o: ConditionOperand): string {
  switch (o.kind) {
    case 'field':
      return `\${webhookContext.${o.field}}`;
    case 'string':
      return `"${o.value.replace(/["\\\n\r\t]/g, (c) => ESCAPES[c])}"`;
    case 'number':
      // String(-0) is "0"; keep the sign so printing and re-parsing is exact.
      return Object.is(o.value, -0) ? '-0' : String(o.value);
    case 'null':
      return '$NULL$';
  }
}

/**
 * Prints a condition in canonical form (upper-case keywords, single spaces, only the
 * parentheses the grammar needs), so `parseCondition(printCondition(ast))` equals `ast`.
 */
export function printCondition(node: ConditionNode): string {
  switch (node.kind) {
    case 'compare':
      return `${printOperand(node.left)} ${node.op} ${printOperand(node.right)}`;
    case 'not':
      return `NOT ${group(node.operand, node.operand.kind === 'and' || node.operand.kind === 'or')}`;
    case 'and':
      return node.operands.map((o) => group(o, o.kind === 'and' || o.kind === 'or')).join(' AND ');
    case 'or':
      return node.operands.map((o) => group(o, o.kind === 'or')).join(' OR ');
  }
}

function group(node: ConditionNode, parenthesise: boolean): string {
  return parenthesise ? `(${printCondition(node)})` : printCondition(node);
}
