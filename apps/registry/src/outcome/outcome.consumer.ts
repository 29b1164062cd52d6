import { Injectable, Logger } from '@nestjs/common';
import { DeliveryOutcome, DeliveryOutcomeBatch } from '@hookline/contracts';
import { JetStreamConsumer, term, type Disposition } from '@hookline/messaging';
import { OutcomeService } from './outcome.service';

/**
 * Adapter from OUTCOMES (one outcome per message) and OUTCOME_BATCHES (many) to OutcomeService.
 * Acks only after the effects are stored; a storage failure throws, and the runner naks with a
 * growing delay (applying an outcome twice is safe, so a batch is simply applied again).
 */
@Injectable()
export class OutcomeConsumer {
  private readonly logger = new Logger('OutcomeConsumer');

  constructor(private readonly outcomes: OutcomeService) {}

  // Many outcomes in hand at once, so OutcomeService can store them in batches.
  @JetStreamConsumer({ stream: 'OUTCOMES', durable: 'registry-outcomes', payload: DeliveryOutcome, concurrency: 512 })
  async handle(outcome: DeliveryOutcome): Promise<Disposition | void> {
    const subscriptionId = this.subscriptionOf(outcome);
    if (subscriptionId === null) return term(`tenant ${outcome.tenant} is not a subscription id`);
    await this.outcomes.apply(subscriptionId, outcome);
  }

  @JetStreamConsumer({
    stream: 'OUTCOME_BATCHES',
    durable: 'registry-outcome-batches',
    payload: DeliveryOutcomeBatch,
    concurrency: 64,
  })
  async handleBatch(batch: DeliveryOutcomeBatch): Promise<void> {
    const applied = await Promise.allSettled(
      batch.outcomes.map((outcome) => {
        const subscriptionId = this.subscriptionOf(outcome);
        // Dropped alone, as a single message with it would be: it cannot become valid later.
        return subscriptionId === null ? null : this.outcomes.apply(subscriptionId, outcome);
      }),
    );
    const failure = applied.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private subscriptionOf(outcome: DeliveryOutcome): number | null {
    const subscriptionId = Number(outcome.tenant);
    if (Number.isSafeInteger(subscriptionId) && subscriptionId >= 1) return subscriptionId;
    this.logger.error(
      { tenant: outcome.tenant, deliveryId: outcome.deliveryId },
      'outcome for a tenant that is not a subscription id',
    );
    return null;
  }
}
