import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { isTestDelivery, type DeliveryOutcome } from '@hookline/contracts';
import type { AttemptRecord } from '../webhook/delivery-log.schema';
import { DeliveryLogRepository } from '../webhook/delivery-log.repository';
import {
  WebhookRepository,
  type StatsAttempt,
  type StatsBatch,
  type StatsState,
} from '../webhook/webhook.repository';
import { WebhookService } from '../webhook/webhook.service';
import { GroupCommit } from './group-commit';

export type OutcomeResult = 'recorded' | 'test-ignored' | 'webhook-deleted';

/** Outcomes stored together at most; a busy registry gathers this many per round of writes. */
const MAX_BATCH = 500;
/** Rounds of settle-and-retry when other registry instances keep counting the same webhook. */
const MAX_STATS_TRIES = 5;

interface OutcomeItem {
  subscriptionId: number;
  outcome: DeliveryOutcome;
}

/** An attempt to count in its webhook's stats; `fresh` when this batch stored its log entry. */
interface Countable extends StatsAttempt {
  id: string;
  fresh: boolean;
}

interface PendingCount {
  batch: string;
  attempts: string[];
}

const fulfilled = (value: OutcomeResult): PromiseSettledResult<OutcomeResult> => ({ status: 'fulfilled', value });
const rejected = (reason: unknown): PromiseSettledResult<OutcomeResult> => ({ status: 'rejected', reason });

/** The attempt's delivery-log key; a hold is logged beside the attempt it delayed, never in place of it. */
const attemptIdOf = (o: DeliveryOutcome): string => `${o.deliveryId}#${o.attempt}${o.kind === 'held' ? '#held' : ''}`;

/** What a set of attempts of one webhook changes in its stats (see StatsBatch). */
export function summarize(attempts: StatsAttempt[]): StatsBatch {
  const byTime = [...attempts].sort((a, b) => a.at.getTime() - b.at.getTime());
  const lastSuccessAt = byTime.findLastIndex((a) => a.success);
  const latest = (success: boolean) => byTime.findLast((a) => a.success === success)?.at ?? null;
  return {
    fired: byTime.length,
    failed: byTime.filter((a) => !a.success).length,
    errorsSinceSuccess: lastSuccessAt < 0 ? null : byTime.length - 1 - lastSuccessAt,
    lastSuccess: latest(true),
    lastFailure: latest(false),
    newest: byTime[byTime.length - 1],
  };
}

/**
 * What delivery outcomes change: the delivery log, the webhooks' read-only stats, the failed
 * deliveries kept for replay, and on 410 Gone the webhook itself. Safe to apply twice.
 *
 * Outcomes are stored in batches (GroupCommit): the log entries of a batch in one insert, then one
 * stats update per webhook. On FerretDB 1.x, the local stand-in for MongoDB, an update costs time
 * in proportion to the collection while an insert does not, which made per-outcome writes the
 * most expensive part of a delivery.
 */
@Injectable()
export class OutcomeService {
  private readonly logger = new Logger('OutcomeService');
  private readonly batches = new GroupCommit<OutcomeItem, OutcomeResult>((items) => this.applyBatch(items), MAX_BATCH);

  constructor(
    private readonly log: DeliveryLogRepository,
    private readonly webhooks: WebhookRepository,
    private readonly webhookService: WebhookService,
  ) {}

  /** Resolves once the outcome's effects are stored (with the other outcomes of its batch). */
  apply(subscriptionId: number, outcome: DeliveryOutcome): Promise<OutcomeResult> {
    return this.batches.submit({ subscriptionId, outcome });
  }

  private async applyBatch(items: OutcomeItem[]): Promise<PromiseSettledResult<OutcomeResult>[]> {
    const results: PromiseSettledResult<OutcomeResult>[] = items.map(() => fulfilled('recorded'));
    // Copies of one attempt within the batch: the first one stands for all.
    const firstCopy = new Map<string, number>();
    const logged: number[] = [];
    items.forEach(({ outcome }, i) => {
      if (isTestDelivery(outcome.deliveryId)) results[i] = fulfilled('test-ignored');
      else if (!firstCopy.has(attemptIdOf(outcome))) {
        firstCopy.set(attemptIdOf(outcome), i);
        logged.push(i);
      }
    });
    const records = logged.map((i): AttemptRecord => {
      const { subscriptionId, outcome } = items[i];
      return {
        _id: attemptIdOf(outcome),
        SubscriptionID: subscriptionId,
        WebhookID: outcome.webhookId,
        DeliveryID: outcome.deliveryId,
        Attempt: outcome.attempt,
        Kind: outcome.kind,
        Status: outcome.status ?? null,
        LatencyMs: outcome.latencyMs,
        Error: outcome.error ?? null,
        At: new Date(outcome.at),
      };
    });
    const { created, foreign } = await this.log.recordAttempts(records);

    const groups = new Map<string, { subscriptionId: number; webhookId: string; members: number[] }>();
    const countable = new Map<number, Countable>();
    for (const i of logged) {
      const { subscriptionId, outcome } = items[i];
      const id = attemptIdOf(outcome);
      if (foreign.has(id)) {
        results[i] = rejected(new Error(`attempt ${id} is logged under another subscription`));
        continue;
      }
      if (outcome.kind === 'gone') {
        results[i] = await this.settled(() => this.removeGone(subscriptionId, outcome.webhookId));
        continue;
      }
      // A held delivery (breaker open, URL blocked) never reached the receiver: nothing fired.
      if (outcome.kind === 'held') continue;
      const key = `${subscriptionId}\n${outcome.webhookId}`;
      const group = groups.get(key) ?? { subscriptionId, webhookId: outcome.webhookId, members: [] };
      group.members.push(i);
      groups.set(key, group);
      countable.set(i, {
        id,
        fresh: created.has(id),
        success: outcome.kind === 'success',
        status: outcome.status ?? null,
        latencyMs: outcome.latencyMs,
        at: new Date(outcome.at),
      });
    }

    if (groups.size > 0) {
      const states = new Map(
        (await this.webhooks.statsStates([...new Set([...groups.values()].map((g) => g.webhookId))])).map((s) => [
          s._id,
          s,
        ]),
      );
      for (const { subscriptionId, webhookId, members } of groups.values()) {
        const state = states.get(webhookId);
        // A deleted or unknown webhook has no stats to keep.
        if (state?.SubscriptionID !== subscriptionId) continue;
        const counted = await this.settled(async () => {
          await this.count(
            subscriptionId,
            webhookId,
            state,
            members.map((i) => countable.get(i)!),
          );
          return 'recorded';
        });
        if (counted.status === 'rejected') for (const i of members) results[i] = counted;
      }
    }

    for (const i of logged) {
      const { subscriptionId, outcome } = items[i];
      if (outcome.kind !== 'failed' || results[i].status === 'rejected') continue;
      results[i] = await this.settled(async () => {
        await this.log.saveFailed(subscriptionId, {
          _id: outcome.deliveryId,
          WebhookID: outcome.webhookId,
          MessageID: outcome.messageId ?? null,
          Payload: outcome.payload ?? null,
          LastStatus: outcome.status ?? null,
          Attempts: outcome.attempt,
          Error: outcome.error ?? null,
          FailedAt: new Date(outcome.at),
        });
        return 'recorded';
      });
    }
    items.forEach(({ outcome }, i) => {
      const first = firstCopy.get(attemptIdOf(outcome));
      if (first !== undefined && first !== i) results[i] = results[first];
    });
    return results;
  }

  private async removeGone(subscriptionId: number, webhookId: string): Promise<OutcomeResult> {
    await this.webhookService.removeGone(subscriptionId, webhookId);
    return 'webhook-deleted';
  }

  private async settled(work: () => Promise<OutcomeResult>): Promise<PromiseSettledResult<OutcomeResult>> {
    try {
      return fulfilled(await work());
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'could not store an outcome; it will come again');
      return rejected(err);
    }
  }

  /**
   * Counts the attempts in the webhook's stats exactly once, even when the registry is killed at
   * any point and the outcomes come again. The count and the note of which attempts it took are
   * one update of the webhook (its pending count); noting the attempts as counted and clearing the
   * note come after. Whoever finds a note left behind settles it first: the webhook already
   * counted those attempts, so only the rest remains to do. An attempt logged by this batch
   * (`fresh`) cannot have been counted, which spares the common case every lookup.
   */
  private async count(
    subscriptionId: number,
    webhookId: string,
    state: StatsState,
    attempts: Countable[],
  ): Promise<void> {
    let toCount = attempts;
    let pending = pendingOf(state);
    let check = attempts.some((a) => !a.fresh);
    for (let tries = 0; tries < MAX_STATS_TRIES; tries++) {
      if (pending) await this.settle(subscriptionId, webhookId, pending);
      if (check) {
        const inPending = new Set(pending?.attempts ?? []);
        toCount = toCount.filter((a) => !inPending.has(a.id));
        const counted = await this.log.countedAmong(toCount.filter((a) => !a.fresh).map((a) => a.id));
        toCount = toCount.filter((a) => !counted.has(a.id));
      }
      if (toCount.length === 0) return;
      const batch = randomUUID();
      const ids = toCount.map((a) => a.id);
      const result = await this.webhooks.applyStats(subscriptionId, webhookId, batch, ids, summarize(toCount));
      if (result === 'gone') return;
      if (result === 'applied') return this.settle(subscriptionId, webhookId, { batch, attempts: ids });
      // Busy: a note left by a killed registry, or another instance counting this webhook just now.
      const [now] = await this.webhooks.statsStates([webhookId]);
      if (now?.SubscriptionID !== subscriptionId) return;
      pending = pendingOf(now);
      check = true;
    }
    throw new Error(`stats of webhook ${webhookId} stayed busy; the outcomes will come again`);
  }

  private async settle(subscriptionId: number, webhookId: string, pending: PendingCount): Promise<void> {
    await this.log.markCounted(subscriptionId, pending.attempts);
    await this.webhooks.clearPendingStats(subscriptionId, webhookId, pending.batch);
  }
}

function pendingOf(state: StatsState): PendingCount | null {
  return state.StatsPendingBatch ? { batch: state.StatsPendingBatch, attempts: state.StatsPendingAttempts ?? [] } : null;
}
