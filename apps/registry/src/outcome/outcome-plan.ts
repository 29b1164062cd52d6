import { isTestDelivery, MAX_LOGGED_BODY_CHARS, type DeliveryOutcome } from '@hookline/contracts';
import { traceIdOf } from '@hookline/service-kit';
import type { NewFailedDelivery } from '../delivery-log/delivery-log.repository';
import type { AttemptRecord } from '../delivery-log/delivery-log.schema';
import type { StatsAttempt, StatsBatch, StatsState, StatsUpdate } from '../webhook/webhook.repository';
import { pendingCountField, type PendingStatsCount } from '../webhook/webhook.schema';
import type { Dialect } from '../webhook/webhook.rules';

/**
 * What to write for a batch of delivery outcomes, given what is stored: pure functions, one per
 * step of OutcomeService's writes (log, then stats, then failed deliveries, then BMC's last
 * processing), since each step depends on what the one before found stored.
 */

export type OutcomeResult = 'recorded' | 'test-ignored' | 'webhook-deleted';

export interface OutcomeItem {
  subscriptionId: number;
  outcome: DeliveryOutcome;
}

/** What this instance knows of a webhook it counted. */
export interface CountedWebhook {
  subscriptionId: number;
  /** The attempt time the Last* fields describe, as far as this instance knows. */
  lastAttemptAt: Date | null;
  /** Other pending counts read and noted as counted, which this instance's next count removes (their fields). */
  clears: string[];
  /** Whose payload rules the webhook follows: BMC's also process failed callbacks once more. */
  dialect: Dialect | null;
}

/** An attempt to count in its webhook's stats; `fresh` when this batch stored its log entry. */
export interface Countable extends StatsAttempt {
  id: string;
  fresh: boolean;
}

/**
 * The attempt's delivery-log key: what identifies the attempt (delivery, number, time), the time first
 * so that the log's `_id` index grows at its end: with a hashed key first every insert changed a
 * page anywhere in the index, at several times the cost (docs/storage.md).
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

/** Step 1: the delivery-log entries of a batch. */
export interface LogPlan {
  /** Each item's attempt id. */
  ids: string[];
  /** Items the log keeps: the first copy of each attempt, test deliveries left out. */
  logged: number[];
  /** Test deliveries: not logged, not counted (whoever tested waits for them on OUTCOMES). */
  testDeliveries: number[];
  /** Later copies of an attempt within the batch, and the item whose result they share. */
  copies: { item: number; first: number }[];
  records: AttemptRecord[];
}

export function planLog(items: readonly OutcomeItem[]): LogPlan {
  const ids = items.map(({ outcome }) => attemptIdOf(outcome));
  const firstCopy = new Map<string, number>();
  const plan: LogPlan = { ids, logged: [], testDeliveries: [], copies: [], records: [] };
  items.forEach(({ outcome }, i) => {
    if (isTestDelivery(outcome.deliveryId)) return plan.testDeliveries.push(i);
    const first = firstCopy.get(ids[i]);
    if (first !== undefined) return plan.copies.push({ item: i, first });
    firstCopy.set(ids[i], i);
    plan.logged.push(i);
  });
  plan.records = plan.logged.map((i): AttemptRecord => {
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
      ErrorKind: outcome.errorKind ?? null,
      Request: outcome.request
        ? {
            Url: outcome.request.url,
            Headers: outcome.request.headers,
            BodyExcerpt: outcome.request.bodyExcerpt ?? null,
          }
        : null,
      // A status means an answer arrived, even one with an empty body.
      Response:
        outcome.status !== undefined
          ? {
              Headers: outcome.responseHeaders ?? {},
              BodyExcerpt: (outcome.responseExcerpt ?? '').slice(0, MAX_LOGGED_BODY_CHARS),
            }
          : null,
    };
  });
  return plan;
}

/** The attempts of one webhook a batch may count. */
export interface CountGroup {
  subscriptionId: number;
  webhookId: string;
  /** The items, in the order of `attempts`. */
  members: number[];
  attempts: Countable[];
}

/** Step 2: what each logged outcome brings about, once the log said which entries it stored. */
export interface EffectsPlan {
  /** Attempts whose id another subscription logged: refused. */
  foreign: number[];
  /** 410 Gone: the webhook is deleted. */
  gone: number[];
  /** Attempts to count, by webhook. Holds are not among them: nothing reached the receiver. */
  groups: CountGroup[];
}

export function planEffects(
  items: readonly OutcomeItem[],
  log: LogPlan,
  stored: { created: ReadonlySet<string>; foreign: ReadonlySet<string> },
): EffectsPlan {
  const plan: EffectsPlan = { foreign: [], gone: [], groups: [] };
  const groups = new Map<string, CountGroup>();
  for (const i of log.logged) {
    const { subscriptionId, outcome } = items[i];
    const id = log.ids[i];
    if (stored.foreign.has(id)) plan.foreign.push(i);
    else if (outcome.kind === 'gone') plan.gone.push(i);
    else if (outcome.kind !== 'held') {
      const key = `${subscriptionId}\n${outcome.webhookId}`;
      let group = groups.get(key);
      if (!group) {
        group = { subscriptionId, webhookId: outcome.webhookId, members: [], attempts: [] };
        groups.set(key, group);
      }
      group.members.push(i);
      group.attempts.push({
        id,
        fresh: stored.created.has(id),
        success: outcome.kind === 'success',
        status: outcome.status ?? null,
        latencyMs: outcome.latencyMs,
        at: new Date(outcome.at),
      });
    }
  }
  plan.groups = [...groups.values()];
  return plan;
}

/**
 * Another instance's pending count older than this when read is removed by the next count that
 * read it (after noting it as counted): its writer is gone, or counts the webhook rarely.
 */
export const STALE_PENDING_COUNT_MS = 60_000;

/** A webhook's pending counts: each instance's (StatsPendingBy), and the one stored before those. */
export function pendingCountsOf(state: StatsState): { field: string; count: PendingStatsCount }[] {
  const counts = Object.entries(state.StatsPendingBy ?? {}).map(([slot, count]) => ({
    field: pendingCountField(slot),
    count,
  }));
  return state.StatsPending ? [...counts, { field: 'StatsPending', count: state.StatsPending }] : counts;
}

/**
 * The pending counts the next count of `slot` removes: other instances' stale ones and the one
 * stored before StatsPendingBy, all read (and noted as counted) by now. An instance writing its
 * entry meanwhile wrote a fresh one, which is kept.
 */
export function stalePendingFields(
  counts: readonly { field: string; count: PendingStatsCount }[],
  slot: string,
  now: Date,
): string[] {
  return counts
    .filter(({ field, count }) => {
      if (field === pendingCountField(slot)) return false;
      return !count.At || now.getTime() - new Date(count.At).getTime() > STALE_PENDING_COUNT_MS;
    })
    .map(({ field }) => field);
}

/** Attempts logged before this batch whose count must be looked up: not fresh, not in the pending entry. */
export function attemptsToLookUp(attempts: readonly Countable[], pending: ReadonlySet<string>): string[] {
  return attempts.filter((a) => !a.fresh && !pending.has(a.id)).map((a) => a.id);
}

/**
 * The attempts not yet counted: an attempt this batch logged cannot have been; one logged before
 * was if the webhook's pending entry or a note (`counted`) names it.
 */
export function uncounted(
  attempts: readonly Countable[],
  pending: ReadonlySet<string>,
  counted: ReadonlySet<string>,
): Countable[] {
  return attempts.filter((a) => a.fresh || (!pending.has(a.id) && !counted.has(a.id)));
}

/**
 * Step 3: the stats update for one webhook, or null when there is nothing to count or the webhook is
 * another subscription's (its stats are not this tenant's to change). `entry` names the counting
 * instance's pending entry (its slot), this count's batch and when it is written.
 */
export function planStatsCount(
  subscriptionId: number,
  webhookId: string,
  known: CountedWebhook,
  toCount: readonly Countable[],
  entry: { slot: string; batch: string; at: Date },
): StatsUpdate | null {
  if (known.subscriptionId !== subscriptionId || toCount.length === 0) return null;
  const update = summarize([...toCount]);
  const newer = known.lastAttemptAt === null || known.lastAttemptAt <= update.newest.at;
  return {
    id: webhookId,
    slot: entry.slot,
    pending: { Batch: entry.batch, Attempts: toCount.map((a) => a.id), At: entry.at },
    clears: known.clears,
    update,
    newer,
  };
}

/** Step 4: failed deliveries kept for replay, from the logged outcomes not refused so far. */
export function planFailedDeliveries(
  items: readonly OutcomeItem[],
  logged: readonly number[],
  refused: (item: number) => boolean,
): { members: number[]; saves: { subscriptionId: number; record: NewFailedDelivery }[] } {
  const members = logged.filter((i) => items[i].outcome.kind === 'failed' && !refused(i));
  const saves = members.map((i) => {
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
  });
  return { members, saves };
}

/**
 * Step 5, BMC: a callback that failed after its retries is "saved for processing one last time".
 * That time comes when the same webhook's receiver answers a later callback with success. Returns
 * the webhooks (and their subscription) whose saved payloads go once more: BMC webhooks this
 * instance counted for the same subscription, with a stored success, that may owe some.
 */
export function planLastProcessing(
  items: readonly OutcomeItem[],
  logged: readonly number[],
  refused: (item: number) => boolean,
  knownOf: (webhookId: string) => CountedWebhook | undefined,
  nothingOwed: (webhookId: string) => boolean,
): Map<string, number> {
  const answered = new Map<string, number>();
  for (const i of logged) {
    const { subscriptionId, outcome } = items[i];
    const known = knownOf(outcome.webhookId);
    if (outcome.kind !== 'success' || refused(i) || known?.dialect !== 'bmc') continue;
    if (known.subscriptionId === subscriptionId && !nothingOwed(outcome.webhookId))
      answered.set(outcome.webhookId, subscriptionId);
  }
  return answered;
}
