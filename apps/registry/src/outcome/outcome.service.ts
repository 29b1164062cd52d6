import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { DeliveryOutcome } from '@hookline/contracts';
import { BoundedMap, BoundedSet, GroupCommit } from '@hookline/service-kit';
import { DeliveryLogRepository } from '../delivery-log/delivery-log.repository';
import { WebhookRepository, type StatsState, type StatsUpdate } from '../webhook/webhook.repository';
import { WebhookService } from '../webhook/webhook.service';
import {
  attemptsToLookUp,
  planEffects,
  planFailedDeliveries,
  planLastProcessing,
  pendingCountsOf,
  planLog,
  planStatsCount,
  stalePendingFields,
  uncounted,
  type Countable,
  type CountedWebhook,
  type CountGroup,
  type OutcomeItem,
  type OutcomeResult,
} from './outcome-plan';

/** Outcomes stored together at most; a busy registry gathers this many per round of writes. */
const MAX_BATCH = 500;
/**
 * Least time between the starts of two batches: under steady traffic batches grow, and a write
 * command has a fixed cost whatever its size (docs/decisions/010-delivery-hot-path.md).
 * A stored outcome waits at most this much longer; deliveries do not wait for it.
 */
const BATCH_SPACING_MS = 300;
/** Webhooks remembered (counted ones, and deleted or unknown ones), each kind. */
const MAX_REMEMBERED_WEBHOOKS = 100_000;

/** Failed deliveries sent once more per success of their webhook, at most (see processFailedOnceMore). */
const LAST_PROCESSING_BATCH = 100;

/** A webhook's stats update to make, and what this instance knows of the webhook. */
interface PlannedCount {
  known: CountedWebhook;
  stats: StatsUpdate;
}

const fulfilled = (value: OutcomeResult): PromiseSettledResult<OutcomeResult> => ({ status: 'fulfilled', value });
const rejected = (reason: unknown): PromiseSettledResult<OutcomeResult> => ({ status: 'rejected', reason });

/**
 * What delivery outcomes change: the delivery log, the webhooks' read-only stats, the failed
 * deliveries kept for replay, and on 410 Gone the webhook itself. Safe to apply twice.
 *
 * Outcomes are stored in batches (GroupCommit): the log entries of a batch in one insert, then the
 * stats updates of its webhooks at once. Per-outcome writes had made the database the most
 * expensive part of a delivery.
 */
@Injectable()
export class OutcomeService {
  private readonly logger = new Logger('OutcomeService');
  /** This instance's key in each webhook's StatsPendingBy: new at every start, so never another's. */
  private readonly slot = randomBytes(6).toString('hex');
  /** Webhooks this instance counted since it started, and what it knows of them. */
  private readonly countedWebhooks = new BoundedMap<string, CountedWebhook>(MAX_REMEMBERED_WEBHOOKS);
  private readonly absentWebhooks = new BoundedSet<string>(MAX_REMEMBERED_WEBHOOKS);
  /**
   * BMC webhooks known to have no failed delivery owed its last processing: their successes then
   * cost no query of the failed deliveries.
   */
  private readonly nothingOwed = new BoundedSet<string>(MAX_REMEMBERED_WEBHOOKS);
  private readonly batches = new GroupCommit<OutcomeItem, OutcomeResult>(
    (items) => this.applyBatch(items),
    MAX_BATCH,
    BATCH_SPACING_MS,
  );

  constructor(
    private readonly log: DeliveryLogRepository,
    private readonly webhooks: WebhookRepository,
    private readonly webhookService: WebhookService,
  ) {}

  /** Resolves once the outcome's effects are stored (with the other outcomes of its batch). */
  apply(subscriptionId: number, outcome: DeliveryOutcome): Promise<OutcomeResult> {
    return this.batches.submit({ subscriptionId, outcome });
  }

  /** Writes what outcome-plan.ts plans, step by step; each step's plan depends on what the one before stored. */
  private async applyBatch(items: OutcomeItem[]): Promise<PromiseSettledResult<OutcomeResult>[]> {
    const results: PromiseSettledResult<OutcomeResult>[] = items.map(() => fulfilled('recorded'));
    const refused = (i: number) => results[i].status === 'rejected';
    const log = planLog(items);
    for (const i of log.testDeliveries) results[i] = fulfilled('test-ignored');
    const effects = planEffects(items, log, await this.log.recordAttempts(log.records));
    for (const i of effects.foreign)
      results[i] = rejected(new Error(`attempt ${log.ids[i]} is logged under another subscription`));
    for (const i of effects.gone) {
      const { subscriptionId, outcome } = items[i];
      results[i] = await this.settled(() => this.removeGone(subscriptionId, outcome.webhookId));
    }
    await this.count(effects.groups, results);

    // The batch's failed deliveries kept for replay in one write; should it fail, they all come again.
    const failed = planFailedDeliveries(items, log.logged, refused);
    if (failed.members.length > 0) {
      const saved = await this.settled(async () => {
        await this.log.saveFailed(failed.saves);
        return 'recorded';
      });
      for (const i of failed.members) results[i] = saved;
    }
    for (const i of failed.members) this.nothingOwed.delete(items[i].outcome.webhookId);
    await this.processOwedOnceMore(
      planLastProcessing(
        items,
        log.logged,
        refused,
        (id) => this.countedWebhooks.get(id),
        (id) => this.nothingOwed.has(id),
      ),
    );
    for (const { item, first } of log.copies) results[item] = results[first];
    return results;
  }

  /** Counts the groups' attempts in their webhooks' stats: each webhook's count one atomic update. */
  private async count(groups: CountGroup[], results: PromiseSettledResult<OutcomeResult>[]): Promise<void> {
    // Webhooks this instance has not seen yet, read in one query.
    const unseen = [...new Set(groups.map((g) => g.webhookId))].filter(
      (id) => !this.countedWebhooks.has(id) && !this.absentWebhooks.has(id),
    );
    const read = new Map((unseen.length > 0 ? await this.webhooks.statsStates(unseen) : []).map((s) => [s._id, s]));
    for (const id of unseen) if (!read.has(id)) this.absent(id);

    const counts: (PlannedCount & CountGroup)[] = [];
    const notCounted = (webhookId: string, members: number[], err: unknown) => {
      // A count that failed may still have been stored (a write that timed out on a stalled server):
      // its pending entry is then on the webhook unnoted, so the next count must read it first.
      this.countedWebhooks.delete(webhookId);
      for (const i of members) results[i] = rejected(err);
      this.logger.warn({ webhookId, err: String(err) }, 'could not count outcomes; they will come again');
    };
    for (const group of groups) {
      try {
        const planned = await this.planCount(group, read.get(group.webhookId));
        if (planned) counts.push({ ...planned, ...group });
      } catch (err) {
        notCounted(group.webhookId, group.members, err);
      }
    }
    let stored: PromiseSettledResult<boolean>[];
    try {
      stored = await this.webhooks.applyStatsMany(counts.map((c) => c.stats));
    } catch (err) {
      stored = counts.map((): PromiseRejectedResult => ({ status: 'rejected', reason: err }));
    }
    const applied: { subscriptionId: number; webhookId: string; ids: string[]; members: number[] }[] = [];
    counts.forEach(({ subscriptionId, webhookId, members, known, stats }, k) => {
      const result = stored[k];
      if (result.status === 'rejected') return notCounted(webhookId, members, result.reason);
      if (!result.value) return this.absent(webhookId);
      known.clears = [];
      if (stats.newer) known.lastAttemptAt = stats.update.newest.at;
      applied.push({ subscriptionId, webhookId, ids: stats.pending.Attempts, members });
    });
    // Noted as counted all at once; until then each webhook's pending entry says so.
    try {
      await this.log.markCounted(applied);
    } catch (err) {
      for (const { webhookId, members } of applied) {
        // Its pending entry is not noted yet: the next count must read it before replacing it.
        this.countedWebhooks.delete(webhookId);
        for (const i of members) results[i] = rejected(err);
      }
    }
  }

  /**
   * BMC: a callback that failed after its retries is "saved for processing one last time". That
   * time comes when the same webhook's receiver answers a later callback with success: it is up
   * again, so each saved payload is sent once more. Outcomes are stored whatever happens here; a
   * pass that fails is tried again at the webhook's next success.
   */
  private async processOwedOnceMore(answered: Map<string, number>): Promise<void> {
    for (const [webhookId, subscriptionId] of answered) {
      try {
        const taken = await this.webhookService.processFailedOnceMore(subscriptionId, webhookId, LAST_PROCESSING_BATCH);
        if (taken < LAST_PROCESSING_BATCH) this.nothingOwed.add(webhookId);
      } catch (err) {
        this.logger.warn({ webhookId, err: String(err) }, 'failed callbacks not processed once more yet');
      }
    }
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
   * any point and the outcomes come again. The count and a pending entry naming its attempts are
   * one update of the webhook (made by count, beside the other webhooks'); noting
   * the attempts as counted (counted_attempts) comes after.
   * An attempt logged by this batch (`fresh`) cannot have been counted; one logged before was
   * counted if a pending entry or a note names it. Returns the update to make, or null when there
   * is nothing to count.
   *
   * The webhook is read only when this instance has not counted it since it started (a batch reads
   * all those in one query), or for attempts logged before: then the pending entries it finds are
   * noted as counted. Otherwise the count is one update by the bare `_id` (no read first). Each
   * instance writes only its own entry (StatsPendingBy), so a killed instance's count that reaches
   * the server late stays there until read. The price, with several registry instances:
   * concurrent copies of one outcome may both count it, and the Last* fields follow the attempts
   * in the order each instance saw them.
   */
  private async planCount(
    { subscriptionId, webhookId, attempts }: CountGroup,
    /** The webhook as this batch read it, if it did. */
    read: StatsState | undefined,
  ): Promise<PlannedCount | null> {
    if (this.absentWebhooks.has(webhookId)) return null;
    let known = this.countedWebhooks.get(webhookId);
    let toCount: Countable[] = attempts;
    const now = new Date();
    if (!known || attempts.some((a) => !a.fresh)) {
      const state = read ?? (await this.webhooks.statsState(webhookId));
      if (!state) return this.absent(webhookId);
      const pending = pendingCountsOf(state);
      const inPending = new Set(pending.flatMap(({ count }) => count.Attempts));
      if (inPending.size > 0)
        await this.log.markCounted([{ subscriptionId: state.SubscriptionID, ids: [...inPending] }]);
      const counted = await this.log.countedAmong(attemptsToLookUp(attempts, inPending));
      toCount = uncounted(attempts, inPending, counted);
      known = {
        subscriptionId: state.SubscriptionID,
        lastAttemptAt: state.LastAttemptAt,
        clears: stalePendingFields(pending, this.slot, now),
        dialect: state.Dialect ?? null,
      };
      this.countedWebhooks.set(webhookId, known);
    }
    const stats = planStatsCount(subscriptionId, webhookId, known, toCount, {
      slot: this.slot,
      batch: randomUUID(),
      at: now,
    });
    return stats && { known, stats };
  }

  /** Remembers a deleted or unknown webhook: its outcomes then cost no lookup (ids are never reused). */
  private absent(webhookId: string): null {
    this.countedWebhooks.delete(webhookId);
    this.absentWebhooks.add(webhookId);
    return null;
  }
}
