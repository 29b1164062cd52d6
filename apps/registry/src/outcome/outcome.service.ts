import { Injectable } from '@nestjs/common';
import type { DeliveryOutcome } from '@hookline/contracts';
import { DeliveryLogRepository } from '../webhook/delivery-log.repository';
import { TEST_DELIVERY_PREFIX } from '../webhook/dispatcher.gateway';
import { WebhookRepository } from '../webhook/webhook.repository';
import { WebhookService } from '../webhook/webhook.service';

export type OutcomeResult = 'recorded' | 'test-ignored' | 'webhook-deleted';

/**
 * What one delivery outcome changes: the delivery log, the webhook's read-only stats, the failed
 * deliveries kept for replay, and on 410 Gone the webhook itself. Safe to apply twice.
 */
@Injectable()
export class OutcomeService {
  constructor(
    private readonly log: DeliveryLogRepository,
    private readonly webhooks: WebhookRepository,
    private readonly webhookService: WebhookService,
  ) {}

  async apply(subscriptionId: number, outcome: DeliveryOutcome): Promise<OutcomeResult> {
    if (outcome.deliveryId.startsWith(TEST_DELIVERY_PREFIX)) return 'test-ignored';
    const at = new Date(outcome.at);
    const attempt = await this.log.recordAttempt(subscriptionId, {
      // A hold is logged beside the attempt it delayed, never in place of it.
      _id: `${outcome.deliveryId}#${outcome.attempt}${outcome.kind === 'held' ? '#held' : ''}`,
      WebhookID: outcome.webhookId,
      DeliveryID: outcome.deliveryId,
      Attempt: outcome.attempt,
      Kind: outcome.kind,
      Status: outcome.status ?? null,
      LatencyMs: outcome.latencyMs,
      Error: outcome.error ?? null,
      At: at,
    });
    if (outcome.kind === 'gone') {
      await this.webhookService.removeGone(subscriptionId, outcome.webhookId);
      return 'webhook-deleted';
    }
    // A held delivery (breaker open, URL blocked) never reached the receiver: nothing fired.
    if (outcome.kind !== 'held' && (await this.log.claimStats(subscriptionId, attempt._id))) {
      try {
        await this.webhooks.applyStats(subscriptionId, outcome.webhookId, {
          success: outcome.kind === 'success',
          status: outcome.status ?? null,
          latencyMs: outcome.latencyMs,
          at,
        });
      } catch (err) {
        await this.log.releaseStats(subscriptionId, attempt._id);
        throw err;
      }
    }
    if (outcome.kind === 'failed') {
      await this.log.saveFailed(subscriptionId, {
        _id: outcome.deliveryId,
        WebhookID: outcome.webhookId,
        MessageID: outcome.messageId ?? null,
        Payload: outcome.payload ?? null,
        LastStatus: outcome.status ?? null,
        Attempts: outcome.attempt,
        Error: outcome.error ?? null,
        FailedAt: at,
      });
    }
    return 'recorded';
  }
}
