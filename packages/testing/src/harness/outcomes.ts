import type { DeliveryOutcome, DeliveryOutcomeBatch } from '@hookline/contracts';
import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Calls `onOutcome` for every outcome dispatchers publish from now on, whether alone on OUTCOMES
 * or in a batch on OUTCOME_BATCHES. Plain subscriptions: no consumer state is left behind.
 */
export function watchOutcomes(connection: NatsConnection, onOutcome: (outcome: DeliveryOutcome) => void): void {
  connection.subscribe('outcomes.>', {
    callback: (err, msg) => {
      if (!err) onOutcome(msg.json<DeliveryOutcome>());
    },
  });
  connection.subscribe('outcome-batches.>', {
    callback: (err, msg) => {
      if (!err) for (const outcome of msg.json<DeliveryOutcomeBatch>().outcomes) onOutcome(outcome);
    },
  });
}
