export { ConditionSyntaxError, type ComparisonOperator, type ConditionNode, type ConditionOperand } from './ast';
export { MAX_CONDITION_DEPTH, parseCondition } from './parser';
export { printCondition } from './printer';
export { conditionHolds, evaluateCondition, explainCondition } from './evaluate';
