/**
 * Every JetStream stream and subject Hookline services exchange.
 *
 * COMPATIBILITY PROMISE: these names are a wire contract between separately deployed
 * services. Renaming one is a breaking change that needs a migration; add, do not rename.
 */

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** `workqueue` streams drop a message once it is acked (each job has one owner). */
  retention: 'limits' | 'workqueue';
  /** How long messages are kept (ms); 0 keeps them until replaced. */
  maxAgeMs: number;
  /**
   * Window in which a repeated `Nats-Msg-Id` is dropped as a duplicate (ms). Two minutes everywhere
   * (JetStream's default): it covers a republish after a redelivery (ack waits are 15 s), and a
   * copy later than that reaches the receiver with the same webhook-id. Longer windows keep millions
   * of ids at a few thousand messages a second, and latency grows with them
   * (docs/decisions/010-delivery-hot-path.md).
   */
  duplicateWindowMs: number;
  /** Keep only the newest N messages per subject (a compacted, last-value stream). */
  maxMsgsPerSubject?: number;
}

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;

export const STREAMS = {
  /**
   * The newest definition of every webhook (one subject per webhook, one message per subject,
   * kept forever; a deletion stays as a tombstone): a service rebuilds its index by reading the
   * stream from the start, then follows it live.
   */
  WEBHOOKS: {
    name: 'WEBHOOKS',
    subjects: ['webhooks.>'],
    retention: 'limits',
    maxAgeMs: 0,
    duplicateWindowMs: 2 * MINUTE,
    maxMsgsPerSubject: 1,
  },
  /** Normalised change messages from change-ingest. */
  CHANGES: {
    name: 'CHANGES',
    subjects: ['changes.>'],
    retention: 'limits',
    maxAgeMs: 7 * DAY,
    duplicateWindowMs: 2 * MINUTE,
  },
  /** One delivery job per (change, webhook) match. */
  DELIVERIES: {
    name: 'DELIVERIES',
    subjects: ['deliveries.>'],
    retention: 'workqueue',
    maxAgeMs: 14 * DAY,
    duplicateWindowMs: 2 * MINUTE,
  },
  /**
   * Delivery jobs parked while their origin's circuit breaker is open, one subject per origin (and
   * webhook): stored, acked messages that cost the server nothing until the origin is probed again,
   * where the same jobs left unacked on DELIVERIES (nak'ed with a delay) slowed every delivery.
   */
  PARKED_DELIVERIES: {
    name: 'PARKED_DELIVERIES',
    subjects: ['parked.>'],
    retention: 'workqueue',
    maxAgeMs: 14 * DAY,
    duplicateWindowMs: 2 * MINUTE,
  },
  /** One outcome per delivery attempt, for stats, the delivery log and auto-delete on 410. */
  OUTCOMES: {
    name: 'OUTCOMES',
    subjects: ['outcomes.>'],
    retention: 'limits',
    maxAgeMs: 7 * DAY,
    duplicateWindowMs: 2 * MINUTE,
  },
  /**
   * Outcomes of many attempts in one message (DeliveryOutcomeBatch), from dispatchers: per-message
   * costs (a publish and its ack, a delivery and its ack, in each service and the server) are paid
   * once per batch rather than per attempt (docs/decisions/010-delivery-hot-path.md).
   */
  OUTCOME_BATCHES: {
    name: 'OUTCOME_BATCHES',
    subjects: ['outcome-batches.>'],
    retention: 'limits',
    maxAgeMs: 7 * DAY,
    duplicateWindowMs: 2 * MINUTE,
  },
  /** Pipeline runs triggered by incoming hooks, for pipeline runners. */
  PIPELINES: {
    name: 'PIPELINES',
    subjects: ['pipelines.>'],
    retention: 'limits',
    maxAgeMs: 7 * DAY,
    duplicateWindowMs: 2 * MINUTE,
  },
} as const satisfies Record<string, StreamSpec>;

export type StreamName = keyof typeof STREAMS;

/** NATS subject tokens cannot hold `.`, `*`, `>` or whitespace; everything else passes through. */
export function subjectToken(value: string): string {
  if (value.length === 0) return '_';
  return value.replace(/[.*>\s%]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export type WebhookEventKind = 'created' | 'updated' | 'deleted';
export type ChangeAction = 'Created' | 'Updated' | 'Deleted' | 'Recycled';

export const SUBJECTS = {
  webhookEvent: (tenant: string, webhookId: string) => `webhooks.${subjectToken(tenant)}.${subjectToken(webhookId)}`,
  change: (tenant: string, objectType: string, action: ChangeAction) =>
    `changes.${subjectToken(tenant)}.${subjectToken(objectType)}.${action}`,
  delivery: (tenant: string, webhookId: string) => `deliveries.${subjectToken(tenant)}.${subjectToken(webhookId)}`,
  /** `originKey` names the target origin in one token (see the dispatcher's ParkedJobs). */
  parkedDelivery: (originKey: string, tenant: string, webhookId: string) =>
    `parked.${originKey}.${subjectToken(tenant)}.${subjectToken(webhookId)}`,
  parkedForOrigin: (originKey: string) => `parked.${originKey}.>`,
  parkedForTenant: (tenant: string) => `parked.*.${subjectToken(tenant)}.*`,
  parkedAll: 'parked.>',
  outcome: (tenant: string, webhookId: string) => `outcomes.${subjectToken(tenant)}.${subjectToken(webhookId)}`,
  /** One subject per producing dispatcher instance (a random id), which tells whose batches they are. */
  outcomeBatch: (producer: string) => `outcome-batches.${subjectToken(producer)}`,
  pipelineRun: (tenant: string, pipelineId: string) =>
    `pipelines.${subjectToken(tenant)}.${subjectToken(pipelineId)}.runs`,
  /** Core NATS (not JetStream): high-rate internal producers publish raw changes here. */
  ingest: (tenant: string) => `ingest.changes.${subjectToken(tenant)}`,
  ingestAll: 'ingest.changes.*',
  /**
   * Core NATS request/reply: a runner reports a run's state (PipelineRunStateReport). Deliberately
   * outside `pipelines.>`: were PIPELINES to capture it, JetStream would store the report and
   * answer the request with its own publish ack.
   */
  runState: (tenant: string) => `runs.state.${subjectToken(tenant)}`,
  runStateAll: 'runs.state.*',
  /** Core NATS request/reply: a gateway holding a listener for the space answers. */
  tunnelDelivery: (tenant: string, sharedSpace: string) =>
    `tunnel.${subjectToken(tenant)}.${subjectToken(sharedSpace)}.deliver`,
  /** Core NATS, not stored: the registry revoked an API key (ApiKeyRevokedEvent); gateways close its tunnels. */
  apiKeyRevoked: (tenant: string, keyId: string) => `apikeys.${subjectToken(tenant)}.${subjectToken(keyId)}.revoked`,
  apiKeyRevokedAll: 'apikeys.*.*.revoked',
  /** Core NATS request/reply: a dispatcher answers with the tenant's DispatchStatus (for the overview). */
  dispatchStatus: (tenant: string) => `dispatch.status.${subjectToken(tenant)}`,
  dispatchStatusAll: 'dispatch.status.*',
  /** Core NATS, not stored: an admin lifted a URL block (UrlUnblockedEvent); every dispatcher drops it at once. */
  urlUnblocked: (tenant: string) => `blocklist.${subjectToken(tenant)}.unblocked`,
  urlUnblockedAll: 'blocklist.*.unblocked',
} as const;

/** What a PARKED_DELIVERIES subject was built from (SUBJECTS.parkedDelivery), tokens still escaped. */
export function parkedSubjectParts(subject: string): {
  originKey: string;
  webhookToken: string;
  /** The job's own subject on DELIVERIES (SUBJECTS.delivery). */
  deliverySubject: string;
} {
  const [, originKey, tenantToken, webhookToken] = subject.split('.');
  return { originKey, webhookToken, deliverySubject: `deliveries.${tenantToken}.${webhookToken}` };
}

/**
 * Header of a job released from PARKED_DELIVERIES back to DELIVERIES: the attempts already made
 * (its JetStream delivery count starts again at 1, and holds are not attempts).
 */
export const PRIOR_ATTEMPTS_HEADER = 'Hookline-Prior-Attempts';
