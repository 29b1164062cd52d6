import { randomUUID } from 'node:crypto';
import type { DeliveryOutcome } from '@hookline/contracts';

/**
 * The `i`-th delivery outcome a bench publishes for the registry to store: every tenth failed
 * after its retries (HTTP 503, carrying `payload` for replay), the others delivered at the first
 * attempt, round the webhooks.
 */
export function benchOutcome(
  i: number,
  tenant: string,
  webhookIds: readonly string[],
  at: Date,
  payload: Record<string, unknown>,
): DeliveryOutcome {
  const failed = i % 10 === 9;
  return {
    deliveryId: randomUUID(),
    tenant,
    webhookId: webhookIds[i % webhookIds.length]!,
    kind: failed ? 'failed' : 'success',
    attempt: failed ? 4 : 1,
    status: failed ? 503 : 200,
    latencyMs: 40 + (i % 60),
    ...(failed && { error: 'HTTP 503', errorKind: 'status' as const, payload }),
    at: at.toISOString(),
  };
}
