import { Injectable, Logger } from '@nestjs/common';
import { DeliveryOutcome } from '@hookline/contracts';
import { JetStreamConsumer, term, type Disposition, type MessageContext } from '@hookline/messaging';
import { OutcomeService } from './outcome.service';

/** Tells JetStream an outcome waiting for its batch is still being worked on, well within the ack wait. */
const HEARTBEAT_MS = 10_000;

/**
 * Adapter from the OUTCOMES stream to OutcomeService. Acks only after the effect is stored; a
 * storage failure throws, and the runner naks with a growing delay.
 */
@Injectable()
export class OutcomeConsumer {
  private readonly logger = new Logger('OutcomeConsumer');

  constructor(private readonly outcomes: OutcomeService) {}

  // Many outcomes in hand at once, so OutcomeService can store them in batches.
  @JetStreamConsumer({ stream: 'OUTCOMES', durable: 'registry-outcomes', payload: DeliveryOutcome, concurrency: 512 })
  async handle(outcome: DeliveryOutcome, context: MessageContext): Promise<Disposition | void> {
    const subscriptionId = Number(outcome.tenant);
    if (!Number.isSafeInteger(subscriptionId) || subscriptionId < 1) {
      this.logger.error(
        { tenant: outcome.tenant, deliveryId: outcome.deliveryId },
        'outcome for a tenant that is not a subscription id',
      );
      return term(`tenant ${outcome.tenant} is not a subscription id`);
    }
    // A slow database must not make the server send the outcome again while it waits for its batch.
    const heartbeat = setInterval(() => context.working(), HEARTBEAT_MS);
    try {
      await this.outcomes.apply(subscriptionId, outcome);
    } finally {
      clearInterval(heartbeat);
    }
  }
}
