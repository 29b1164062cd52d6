import { Injectable } from '@nestjs/common';
import { isTestDelivery, type DeliveryOutcome } from '@hookline/contracts';
import { DeliveryLogRepository } from '../webhook/delivery-log.repository';
import { WebhookRepository, type StatsUpdate } from '../webhook/webhook.repository';
import { WebhookService } from '../webhook/webhook.service';

export type OutcomeResult = 'recorded' | 'test-ignored' | 'webhook-deleted';

/** Rounds of settle-and-retry when other registry instances keep counting the same webhook. */
const MAX_STATS_TRIES = 5;

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
   * It also keeps the steps of one count (see countOnce) from interleaving with another's.
   */
  private readonly statsQueue = new PerKeyQueue();

  constructor(
    private readonly log: DeliveryLogRepository,
    private readonly webhooks: WebhookRepository,
    private readonly webhookService: WebhookService,
  ) {}

  async apply(subscriptionId: number, outcome: DeliveryOutcome): Promise<OutcomeResult> {
    if (isTestDelivery(outcome.deliveryId)) return 'test-ignored';
    const at = new Date(outcome.at);
    const { record: attempt, created } = await this.log.recordAttempt(subscriptionId, {
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
      const stats = {
        success: outcome.kind === 'success',
        status: outcome.status ?? null,
        latencyMs: outcome.latencyMs,
        at,
      };
      await this.statsQueue.run(`${subscriptionId}\n${outcome.webhookId}`, () =>
        this.countOnce(subscriptionId, outcome.webhookId, attempt._id, stats, created),
      );
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

  /**
   * Counts the attempt in the webhook's stats exactly once, even when the registry is killed at any
   * point and the outcome comes again. The count and the note of which attempt it was are one
   * update of the webhook (StatsPendingAttempt); marking the attempt's log entry and clearing the
   * note come after. Whoever finds a note left behind settles it first: the webhook already counted
   * that attempt, so only the log entry and the note remain to do. An attempt logged just now
   * (`fresh`) cannot have been counted, which spares the common case two reads.
   */
  private async countOnce(
    subscriptionId: number,
    webhookId: string,
    attemptId: string,
    stats: StatsUpdate,
    fresh: boolean,
  ): Promise<void> {
    let check = !fresh;
    for (let tries = 0; tries < MAX_STATS_TRIES; tries++) {
      if (check) {
        const pending = await this.webhooks.pendingStats(subscriptionId, webhookId);
        // A deleted webhook has no stats to keep.
        if (pending === undefined) return;
        if (pending !== null) await this.settle(subscriptionId, webhookId, pending);
        if (pending === attemptId || (await this.log.statsApplied(subscriptionId, attemptId))) return;
      }
      const result = await this.webhooks.applyStats(subscriptionId, webhookId, attemptId, stats);
      if (result === 'gone') return;
      if (result === 'applied') return this.settle(subscriptionId, webhookId, attemptId);
      // Busy: a note left by a killed registry, or another instance counting this webhook just now.
      check = true;
    }
    throw new Error(`stats of webhook ${webhookId} stayed busy; the outcome will come again`);
  }

  private async settle(subscriptionId: number, webhookId: string, attemptId: string): Promise<void> {
    await this.log.markStatsApplied(subscriptionId, attemptId);
    await this.webhooks.clearPendingStats(subscriptionId, webhookId, attemptId);
  }
}
