export { MessageView, type AttributeSelector, type MatchableMessage } from './attributes';
export {
  compileExpression,
  evaluateExpression,
  validateExpression,
  LIST_OPERATORS,
  OPERATORS,
  SCALAR_OPERATORS,
  VALUELESS_OPERATORS,
  type ClauseResult,
  type CompiledExpression,
  type Expression,
  type Operator,
  type Problem,
} from './expressions';
export {
  ConditionSyntaxError,
  evaluateCondition,
  MAX_CONDITION_DEPTH,
  parseCondition,
  printCondition,
  type ComparisonOperator,
  type ConditionNode,
  type ConditionOperand,
} from './condition';
export {
  compileWebhook,
  eventOfAction,
  InvalidWebhookError,
  matchWebhook,
  normalizeObjectType,
  validateWebhook,
  WEBHOOK_EVENTS,
  type CompiledWebhook,
  type MatchClause,
  type MatchResult,
  type WebhookDefinition,
  type WebhookEventType,
  type WebhookRulesInput,
  type WebhookTrigger,
} from './webhook';
export { WebhookIndex, type IndexedMessage } from './webhook-index';
export {
  BASIC_ATTRIBUTES,
  buildPayload,
  DIALECT_DEFAULTS,
  DIALECTS,
  PAYLOAD_FORMATS,
  RECORD_EVENT_OF,
  renderPayload,
  RULE_FIELDS,
  ruleOf,
  type Dialect,
  type PayloadFormat,
  type PayloadMessage,
  type PayloadShaping,
  type WebhookPayload,
  type WebhookRule,
} from './payload';
export {
  ATTRIBUTE_ID_NAMESPACE,
  attributeId,
  attributeType,
  diffSnapshots,
  type SnapshotChange,
  type StateAndChanges,
} from './diff';
export { uuidv5 } from './uuid';
