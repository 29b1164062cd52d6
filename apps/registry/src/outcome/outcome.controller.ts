import { Controller, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import { DeliveryOutcome, DeliveryOutcomeBatch } from '@hookline/contracts';
import { JetStreamEvent, term, type Disposition } from '@hookline/messaging';
import { SpanKind, tracingOn, withSpan } from '@hookline/service-kit';
import type { OutcomeResult } from './outcome-plan';
import { OutcomeService } from './outcome.service';

/** The subscription an outcome's tenant names; null when the tenant is not a subscription id. */
function subscriptionOf(outcome: DeliveryOutcome): number | null {
  const subscriptionId = Number(outcome.tenant);
  return Number.isSafeInteger(subscriptionId) && subscriptionId >= 1 ? subscriptionId : null;
}

/**
 * Adapter from OUTCOMES (one outcome per message) and OUTCOME_BATCHES (many) to OutcomeService.
 * Acks only after the effects are stored; a storage failure throws, and the runner naks with a
 * growing delay (applying an outcome twice is safe, so a batch is simply applied again).
 */
// Message handlers, no HTTP route: nothing of them belongs in the OpenAPI document.
@ApiExcludeController()
@Controller()
export class OutcomeController {
  private readonly logger = new Logger('OutcomeController');

  constructor(private readonly outcomes: OutcomeService) {}

  // Many outcomes in hand at once, so OutcomeService can store them in batches.
  @JetStreamEvent({ stream: 'OUTCOMES', durable: 'registry-outcomes', payload: DeliveryOutcome, concurrency: 512 })
  async handle(@Payload() outcome: DeliveryOutcome): Promise<Disposition | void> {
    const subscriptionId = subscriptionOf(outcome);
    // The runner logs the reason: one line per dropped message.
    if (subscriptionId === null) return term(`tenant ${outcome.tenant} is not a subscription id`);
    await this.apply(subscriptionId, outcome);
  }

  @JetStreamEvent({
    stream: 'OUTCOME_BATCHES',
    durable: 'registry-outcome-batches',
    payload: DeliveryOutcomeBatch,
    concurrency: 64,
  })
  async handleBatch(@Payload() batch: DeliveryOutcomeBatch): Promise<void> {
    const applied = await Promise.allSettled(
      batch.outcomes.map((outcome) => {
        const subscriptionId = subscriptionOf(outcome);
        if (subscriptionId !== null) return this.apply(subscriptionId, outcome);
        // Dropped alone, as a single message with it would be: it cannot become valid later.
        this.logger.error(
          { tenant: outcome.tenant, deliveryId: outcome.deliveryId },
          'outcome for a tenant that is not a subscription id dropped',
        );
        return null;
      }),
    );
    const failure = applied.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** While tracing is on, in a span of the outcome's own trace: a batch holds outcomes of many traces. */
  private apply(subscriptionId: number, outcome: DeliveryOutcome): Promise<OutcomeResult> {
    if (!tracingOn() || !outcome.traceparent) return this.outcomes.apply(subscriptionId, outcome);
    const attributes = {
      'hookline.delivery.id': outcome.deliveryId,
      'hookline.webhook.id': outcome.webhookId,
      'hookline.attempt': outcome.attempt,
      'hookline.outcome': outcome.kind,
    };
    return withSpan('record attempt', { kind: SpanKind.CONSUMER, parent: outcome.traceparent, attributes }, () =>
      this.outcomes.apply(subscriptionId, outcome),
    );
  }
}
