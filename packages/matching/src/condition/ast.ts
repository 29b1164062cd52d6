/** The AST of a BMC Helix webhook condition (`${webhookContext.F} = "High" AND ...`). */

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';

export type ConditionOperand =
  /** `${webhookContext.<field>}`: a field id or name, trimmed. */
  | { kind: 'field'; field: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  /** `$NULL$` */
  | { kind: 'null' };

export type ConditionNode =
  | { kind: 'compare'; op: ComparisonOperator; left: ConditionOperand; right: ConditionOperand }
  | { kind: 'not'; operand: ConditionNode }
  /** Two or more operands; a parenthesised group stays its own node. */
  | { kind: 'and'; operands: ConditionNode[] }
  | { kind: 'or'; operands: ConditionNode[] };

/** A condition that does not parse; `position` is the 0-based UTF-16 offset of the problem. */
export class ConditionSyntaxError extends Error {
  constructor(
    readonly position: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConditionSyntaxError';
  }
}
