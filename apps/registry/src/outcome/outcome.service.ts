import { Injectable } from '@nestjs/common';
import type { DeliveryOutcome } from '@hookline/contracts';
import { DeliveryLogRepository } from '../webhook/delivery-log.repository';
import { TEST_DELIVERY_PREFIX } from '../webhook/dispatcher.gateway';
import { WebhookRepository } from '../webhook/webhook.repository';
import { WebhookService } from '../webhook/webhook.service';

export type OutcomeResult = 'recorded' | 'test-ignored' | 'webhook-deleted';

/** Runs tasks of one key one after another; tasks of different keys run side by side. */
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task queued or running. */
  get size(): number {
    return this.tails.size;
  }
}

/**
 * What one delivery outcome changes: the delivery log, the webhook's read-only stats, the failed
 * deliveries kept for replay, and on 410 Gone the webhook itself. Safe to apply twice.
 */
@Injectable()
export class OutcomeService {
  /**
   * One stats update at a time per webhook. MongoDB applies `$inc` atomically, but a MongoDB-wire
   * server such as FerretDB 1.x reads, changes and writes the document back, so concurrent
   * outcomes of one webhook lost counts there (the fault tests saw FireCount at half the deliveries).
   * It also keeps a claim and its stats update in order for a redelivered outcome.
   */
  private readonly statsQueue = new PerKeyQueue();

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
    if (outcome.kind !== 'held') {
      await this.statsQueue.run(`${subscriptionId}\n${outcome.webhookId}`, async () => {
        if (!(await this.log.claimStats(subscriptionId, attempt._id))) return;
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
      });
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
