import { STREAMS, type DeliveryOutcome, type DeliveryOutcomeBatch } from '@hookline/contracts';
import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Calls `onOutcome` for every outcome dispatchers publish from now on, whether alone on OUTCOMES
 * or in a batch on OUTCOME_BATCHES. Plain subscriptions: no consumer state is left behind.
 */
export function watchOutcomes(connection: NatsConnection, onOutcome: (outcome: DeliveryOutcome) => void): void {
  connection.subscribe(STREAMS.OUTCOMES.subjects[0], {
    callback: (err, msg) => {
      if (!err) onOutcome(msg.json<DeliveryOutcome>());
    },
  });
  connection.subscribe(STREAMS.OUTCOME_BATCHES.subjects[0], {
    callback: (err, msg) => {
      if (!err) for (const outcome of msg.json<DeliveryOutcomeBatch>().outcomes) onOutcome(outcome);
    },
  });
}
