import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { isTestDelivery, type DeliveryOutcome } from '@hookline/contracts';
import { BoundedMap, BoundedSet, GroupCommit, traceIdOf } from '@hookline/service-kit';
import type { AttemptRecord } from '../webhook/delivery-log.schema';
import type { PendingStatsCount } from '../webhook/webhook.schema';
import type { Dialect } from '../webhook/webhook.rules';
import { DeliveryLogRepository } from '../webhook/delivery-log.repository';
import {
  WebhookRepository,
  type StatsAttempt,
  type StatsBatch,
  type StatsState,
  type StatsUpdate,
} from '../webhook/webhook.repository';
import { WebhookService } from '../webhook/webhook.service';

export type OutcomeResult = 'recorded' | 'test-ignored' | 'webhook-deleted';

/** Outcomes stored together at most; a busy registry gathers this many per round of writes. */
const MAX_BATCH = 500;
/**
 * Least time between the starts of two batches. Under steady traffic this makes batches ~10x
 * larger: FerretDB spent about 2 ms of CPU per write command whatever its size (111 inserts/s of
 * ~27 outcomes at 1,500 outcomes/s); a stored outcome waits at most this much longer.
 */
const BATCH_SPACING_MS = 100;
/** Webhooks remembered (counted ones, and deleted or unknown ones), each kind. */
const MAX_REMEMBERED_WEBHOOKS = 100_000;

interface CountedWebhook {
  subscriptionId: number;
  /** The attempt time the Last* fields describe, as far as this instance knows. */
  lastAttemptAt: Date | null;
  /** Whose payload rules the webhook follows: BMC's also process failed callbacks once more. */
  dialect: Dialect | null;
}

/** Failed deliveries sent once more per success of their webhook, at most (see processFailedOnceMore). */
const LAST_PROCESSING_BATCH = 100;

interface OutcomeItem {
  subscriptionId: number;
  outcome: DeliveryOutcome;
}

/** A webhook's stats update to make, and what this instance knows of the webhook. */
interface PlannedCount {
  known: CountedWebhook;
  stats: StatsUpdate;
}

/** An attempt to count in its webhook's stats; `fresh` when this batch stored its log entry. */
interface Countable extends StatsAttempt {
  id: string;
  fresh: boolean;
}

const fulfilled = (value: OutcomeResult): PromiseSettledResult<OutcomeResult> => ({ status: 'fulfilled', value });
const rejected = (reason: unknown): PromiseSettledResult<OutcomeResult> => ({ status: 'rejected', reason });

/**
 * The attempt's delivery-log key: what identifies the attempt (delivery, number, time), the time first
 * so that the log's `_id` index grows at its end. With a hashed key first every insert changed a
 * page anywhere in the index: on FerretDB 1.24 (SQLite) that was 25-30 µs of its CPU and 15 KB
 * written per entry, 16-18 µs and 2 KB time first (500-entry inserts into 40,000-250,000 entries).
 * A hold is logged beside the attempt it delayed, never in place of it, and once however often it
 * is reported (each report has its own time).
 */
export function attemptIdOf(o: DeliveryOutcome): string {
  if (o.kind === 'held') return `${o.deliveryId}#${o.attempt}#held`;
  const at = new Date(o.at);
  return `${Number.isNaN(at.getTime()) ? o.at : at.toISOString()}|${o.deliveryId}#${o.attempt}`;
}

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
 * Outcomes are stored in batches (GroupCommit): the log entries of a batch in one insert, then the
 * stats updates of its webhooks in one command. Per-outcome writes had made the database the most
 * expensive part of a delivery on FerretDB 1.x, the local stand-in for MongoDB, where a stock build
 * updates in time proportional to the collection and every write command has a high fixed cost.
 */
@Injectable()
export class OutcomeService {
  private readonly logger = new Logger('OutcomeService');
  /** Webhooks this instance counted since it started, and what it knows of them. */
  private readonly countedWebhooks = new BoundedMap<string, CountedWebhook>(MAX_REMEMBERED_WEBHOOKS);
  private readonly absentWebhooks = new BoundedSet<string>(MAX_REMEMBERED_WEBHOOKS);
  /**
   * BMC webhooks known to have no failed delivery owed its last processing: their successes then
   * cost no query of the failed deliveries (FerretDB 1.x decodes the collection for one).
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

  private async applyBatch(items: OutcomeItem[]): Promise<PromiseSettledResult<OutcomeResult>[]> {
    const results: PromiseSettledResult<OutcomeResult>[] = items.map(() => fulfilled('recorded'));
    const ids = items.map(({ outcome }) => attemptIdOf(outcome));
    // Copies of one attempt within the batch: the first one stands for all.
    const firstCopy = new Map<string, number>();
    const logged: number[] = [];
    items.forEach(({ outcome }, i) => {
      if (isTestDelivery(outcome.deliveryId)) results[i] = fulfilled('test-ignored');
      else if (!firstCopy.has(ids[i])) {
        firstCopy.set(ids[i], i);
        logged.push(i);
      }
    });
    const records = logged.map((i): AttemptRecord => {
      const { subscriptionId, outcome } = items[i];
      return {
        _id: ids[i],
        SubscriptionID: subscriptionId,
        WebhookID: outcome.webhookId,
        DeliveryID: outcome.deliveryId,
        Attempt: outcome.attempt,
        Kind: outcome.kind,
        Status: outcome.status ?? null,
        LatencyMs: outcome.latencyMs,
        Error: outcome.error ?? null,
        At: new Date(outcome.at),
        TraceID: traceIdOf(outcome.traceparent),
      };
    });
    const { created, foreign } = await this.log.recordAttempts(records);

    const groups = new Map<string, { subscriptionId: number; webhookId: string; members: number[] }>();
    const countable = new Map<number, Countable>();
    for (const i of logged) {
      const { subscriptionId, outcome } = items[i];
      const id = ids[i];
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

    // Webhooks this instance has not seen yet, read in one query.
    const unseen = [...new Set([...groups.values()].map((g) => g.webhookId))].filter(
      (id) => !this.countedWebhooks.has(id) && !this.absentWebhooks.has(id),
    );
    const read = new Map((unseen.length > 0 ? await this.webhooks.statsStates(unseen) : []).map((s) => [s._id, s]));
    for (const id of unseen) if (!read.has(id)) this.absent(id);

    const counts: (PlannedCount & { subscriptionId: number; webhookId: string; members: number[] })[] = [];
    const notCounted = (webhookId: string, members: number[], err: unknown) => {
      // A count that failed may still have been stored (a write that timed out on a stalled server):
      // its pending entry is then on the webhook unnoted, so the next count must read it first.
      this.countedWebhooks.delete(webhookId);
      for (const i of members) results[i] = rejected(err);
      this.logger.warn({ webhookId, err: String(err) }, 'could not count outcomes; they will come again');
    };
    for (const { subscriptionId, webhookId, members } of groups.values()) {
      try {
        const planned = await this.planCount(
          subscriptionId,
          webhookId,
          members.map((i) => countable.get(i)!),
          read.get(webhookId),
        );
        if (planned) counts.push({ ...planned, subscriptionId, webhookId, members });
      } catch (err) {
        notCounted(webhookId, members, err);
      }
    }
    // Every webhook's count in one command (see applyStatsMany).
    let stored: PromiseSettledResult<boolean>[];
    try {
      stored = await this.webhooks.applyStatsMany(counts.map((c) => c.stats));
    } catch (err) {
      stored = counts.map((): PromiseRejectedResult => ({ status: 'rejected', reason: err }));
    }
    const applied: { subscriptionId: number; webhookId: string; entry: PendingStatsCount; members: number[] }[] = [];
    counts.forEach(({ subscriptionId, webhookId, members, known, stats }, k) => {
      const result = stored[k];
      if (result.status === 'rejected') return notCounted(webhookId, members, result.reason);
      if (!result.value) return this.absent(webhookId);
      if (stats.newer) known.lastAttemptAt = stats.update.newest.at;
      applied.push({ subscriptionId, webhookId, entry: stats.pending, members });
    });
    // Noted as counted all at once; until then each webhook's pending entry says so.
    try {
      await this.log.markCounted(applied.map(({ subscriptionId, entry }) => ({ subscriptionId, ids: entry.Attempts })));
    } catch (err) {
      for (const { webhookId, members } of applied) {
        // Its pending entry is not noted yet: the next count must read it before replacing it.
        this.countedWebhooks.delete(webhookId);
        for (const i of members) results[i] = rejected(err);
      }
    }

    // The batch's failed deliveries kept for replay in one write; should it fail, they all come again.
    const failed = logged.filter((i) => items[i].outcome.kind === 'failed' && results[i].status !== 'rejected');
    if (failed.length > 0) {
      const saved = await this.settled(async () => {
        await this.log.saveFailed(
          failed.map((i) => {
            const { subscriptionId, outcome } = items[i];
            return {
              subscriptionId,
              record: {
                _id: outcome.deliveryId,
                WebhookID: outcome.webhookId,
                MessageID: outcome.messageId ?? null,
                Payload: outcome.payload ?? null,
                LastStatus: outcome.status ?? null,
                Attempts: outcome.attempt,
                Error: outcome.error ?? null,
                FailedAt: new Date(outcome.at),
              },
            };
          }),
        );
        return 'recorded';
      });
      for (const i of failed) results[i] = saved;
    }
    for (const i of failed) this.nothingOwed.delete(items[i].outcome.webhookId);
    await this.processOwedOnceMore(items, logged, results);
    items.forEach((_, i) => {
      const first = firstCopy.get(ids[i]);
      if (first !== undefined && first !== i) results[i] = results[first];
    });
    return results;
  }

  /**
   * BMC: a callback that failed after its retries is "saved for processing one last time". That
   * time comes when the same webhook's receiver answers a later callback with success: it is up
   * again, so each saved payload is sent once more. Outcomes are stored whatever happens here; a
   * pass that fails is tried again at the webhook's next success.
   */
  private async processOwedOnceMore(
    items: OutcomeItem[],
    logged: number[],
    results: PromiseSettledResult<OutcomeResult>[],
  ): Promise<void> {
    const answered = new Map<string, number>();
    for (const i of logged) {
      const { subscriptionId, outcome } = items[i];
      const known = this.countedWebhooks.get(outcome.webhookId);
      if (outcome.kind !== 'success' || results[i].status === 'rejected' || known?.dialect !== 'bmc') continue;
      if (known.subscriptionId === subscriptionId && !this.nothingOwed.has(outcome.webhookId))
        answered.set(outcome.webhookId, subscriptionId);
    }
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
   * one update of the webhook (made by applyBatch, with the other webhooks' in one command); noting
   * the attempts as counted (counted_attempts) comes after.
   * An attempt logged by this batch (`fresh`) cannot have been counted; one logged before was
   * counted if the webhook's pending entry or a note names it. Returns the update to make, or
   * null when there is nothing to count.
   *
   * The webhook is read only when this instance has not counted it since it started (a batch reads
   * all those in one query), or for attempts logged before: then a pending entry it finds is noted before the count replaces it.
   * Otherwise the count is one update by the bare `_id` (FerretDB 1.x decodes the whole collection
   * for any other filter, and updates cost time in proportion to it). The price, with several
   * registry instances: concurrent copies of one outcome may both count it; an instance killed
   * between its two steps while another replaces its entry may have a count repeated; and the
   * Last* fields follow the attempts in the order each instance saw them.
   */
  private async planCount(
    subscriptionId: number,
    webhookId: string,
    attempts: Countable[],
    /** The webhook as this batch read it, if it did. */
    read: StatsState | undefined,
  ): Promise<PlannedCount | null> {
    if (this.absentWebhooks.has(webhookId)) return null;
    let known = this.countedWebhooks.get(webhookId);
    let toCount = attempts;
    if (!known || attempts.some((a) => !a.fresh)) {
      const state = read ?? (await this.webhooks.statsState(webhookId));
      if (!state) return this.absent(webhookId);
      const pending = state.StatsPending;
      if (pending) await this.log.markCounted([{ subscriptionId: state.SubscriptionID, ids: pending.Attempts }]);
      const inPending = new Set(pending?.Attempts ?? []);
      const counted = await this.log.countedAmong(
        attempts.filter((a) => !a.fresh && !inPending.has(a.id)).map((a) => a.id),
      );
      toCount = attempts.filter((a) => a.fresh || (!inPending.has(a.id) && !counted.has(a.id)));
      known = { subscriptionId: state.SubscriptionID, lastAttemptAt: state.LastAttemptAt, dialect: state.Dialect ?? null };
      this.countedWebhooks.set(webhookId, known);
    }
    // Another subscription's webhook: its stats are not this tenant's to change.
    if (known.subscriptionId !== subscriptionId || toCount.length === 0) return null;
    const entry: PendingStatsCount = { Batch: randomUUID(), Attempts: toCount.map((a) => a.id) };
    const update = summarize(toCount);
    const newer = known.lastAttemptAt === null || known.lastAttemptAt <= update.newest.at;
    return { known, stats: { id: webhookId, pending: entry, update, newer } };
  }

  /** Remembers a deleted or unknown webhook: its outcomes then cost no lookup (ids are never reused). */
  private absent(webhookId: string): null {
    this.countedWebhooks.delete(webhookId);
    this.absentWebhooks.add(webhookId);
    return null;
  }
}
