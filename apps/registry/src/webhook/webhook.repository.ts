import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DEFAULT_CLIENT_AUTH_METHOD } from '@hookline/contracts';
import { mongo, type QueryFilter, type Model, type SortOrder } from 'mongoose';
import { MAX_UPDATES_PER_COMMAND } from '@hookline/service-kit';
import type { WebhookEventName } from './webhook.rules';
import {
  pendingCountField,
  WEBHOOK_MODEL,
  type AuthenticationRecord,
  type PendingEvent,
  type PendingStatsCount,
  type StoredAuthentication,
  type WebhookRecord,
} from './webhook.schema';

/** A webhook document as written, or read before readWebhook fills in its defaults. */
export type StoredWebhook = Omit<WebhookRecord, 'Authentication'> & { Authentication: StoredAuthentication | null };

/**
 * A stored webhook with the defaults of fields it may lack: the one place that says what their
 * absence means, so the API, the BMC mapping and the delivery spec in events and jobs agree.
 */
export function readWebhook(stored: StoredWebhook): WebhookRecord {
  return { ...stored, Authentication: authenticationOf(stored.Authentication) };
}

function authenticationOf(auth: StoredAuthentication | null): AuthenticationRecord | null {
  if (auth?.Type !== 'OAuth2ClientCredentials') return auth;
  // Absent before the field existed and when a request leaves it out: what every token URL accepts.
  return { ...auth, ClientAuthMethod: auth.ClientAuthMethod ?? DEFAULT_CLIENT_AUTH_METHOD };
}

export interface WebhookFilter {
  /** Contained in Name, AppName or TargetUrl, ignoring case. */
  text?: string;
  names?: string[];
  disabled?: boolean;
  events?: WebhookEventName[];
  objectType?: string;
}

export type SortSpec = [field: string, direction: 1 | -1][];

export interface Page<T> {
  items: T[];
  total: number;
}

/** One attempt as the webhook's read-only stats see it. */
export interface StatsAttempt {
  success: boolean;
  status: number | null;
  latencyMs: number;
  at: Date;
}

/** What a batch of attempts of one webhook changes in its stats. */
export interface StatsBatch {
  fired: number;
  failed: number;
  /** Failures after the batch's last success, which resets ErrorCount; null when none succeeded. */
  errorsSinceSuccess: number | null;
  lastSuccess: Date | null;
  lastFailure: Date | null;
  newest: StatsAttempt;
}

/** One webhook's share of applyStatsMany. */
export interface StatsUpdate {
  id: string;
  /** The counting instance's key in the webhook's StatsPendingBy. */
  slot: string;
  /** Becomes the instance's pending count there: the attempts this update counts. */
  pending: PendingStatsCount;
  /** Fields of pending counts read and noted as counted, removed by this update (see OutcomeService). */
  clears: string[];
  update: StatsBatch;
  /** The batch's newest attempt is newer than the one the Last* fields describe. */
  newer: boolean;
}

/** A webhook's fields that counting its stats reads (StatsState). */
const STATS_STATE_FIELDS = {
  SubscriptionID: 1,
  LastAttemptAt: 1,
  StatsPendingBy: 1,
  StatsPending: 1,
  Dialect: 1,
} as const;

/** A webhook's fields that counting its stats reads (and its dialect, for what a success brings about). */
export type StatsState = Pick<WebhookRecord, '_id' | 'SubscriptionID' | 'LastAttemptAt'> &
  Partial<Pick<WebhookRecord, 'Dialect' | 'StatsPendingBy' | 'StatsPending'>>;

/** All MongoDB access to webhooks. Every method takes the subscription, so no query can forget it. */
@Injectable()
export class WebhookRepository {
  constructor(@InjectModel(WEBHOOK_MODEL) private readonly model: Model<WebhookRecord>) {}

  async insert(subscriptionId: number, record: Omit<StoredWebhook, 'SubscriptionID'>): Promise<WebhookRecord> {
    const created = await this.model.create({ ...record, SubscriptionID: subscriptionId });
    return readWebhook(created.toObject<StoredWebhook>());
  }

  async findById(subscriptionId: number, id: string): Promise<WebhookRecord | null> {
    const stored = await this.model
      .findOne(this.live(subscriptionId, { _id: id }))
      .lean<StoredWebhook>()
      .exec();
    return stored && readWebhook(stored);
  }

  async query(
    subscriptionId: number,
    filter: WebhookFilter,
    sort: SortSpec,
    skip: number,
    limit: number,
  ): Promise<Page<WebhookRecord>> {
    const conditions: QueryFilter<WebhookRecord> = {};
    if (filter.text) {
      // Escaped, so the search text is matched literally and cannot be a costly pattern.
      const contains = { $regex: filter.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
      conditions.$or = [{ Name: contains }, { AppName: contains }, { TargetUrl: contains }];
    }
    if (filter.names) conditions.Name = { $in: filter.names };
    if (filter.disabled !== undefined) conditions.Disabled = filter.disabled;
    if (filter.events) conditions.Events = { $in: filter.events };
    if (filter.objectType) conditions.ObjectTypes = filter.objectType;
    const where = this.live(subscriptionId, conditions);
    // _id last makes the order total, so pages neither repeat nor skip webhooks with equal keys.
    const order: [string, SortOrder][] = [...sort, ['_id', 1]];
    const [items, total] = await Promise.all([
      this.model.find(where).sort(order).skip(skip).limit(limit).lean<StoredWebhook[]>().exec(),
      this.model.countDocuments(where).exec(),
    ]);
    return { items: items.map(readWebhook), total };
  }

  /**
   * Applies `set` if the webhook is still at `expectedVersion`, bumping the version and recording
   * the pending event in the same single-document write. Null when it changed or vanished meanwhile.
   */
  async updateVersioned(
    subscriptionId: number,
    id: string,
    expectedVersion: number,
    set: Partial<StoredWebhook>,
    now: Date,
  ): Promise<WebhookRecord | null> {
    const ObjectVersion = expectedVersion + 1;
    const PendingEvent: PendingEvent = { Kind: 'updated', ObjectVersion };
    const updated = await this.model
      .findOneAndUpdate(
        this.live(subscriptionId, { _id: id, ObjectVersion: expectedVersion }),
        { $set: { ...set, ObjectVersion, LastUpdateDate: now, PendingEvent } },
        { returnDocument: 'after' },
      )
      .lean<StoredWebhook>()
      .exec();
    return updated && readWebhook(updated);
  }

  /** First step of a deletion: hidden from readers at once, purged once the `deleted` event is out. */
  async markDeleted(subscriptionId: number, id: string, now: Date): Promise<WebhookRecord | null> {
    const current = await this.findById(subscriptionId, id);
    if (!current) return null;
    const ObjectVersion = current.ObjectVersion + 1;
    const PendingEvent: PendingEvent = { Kind: 'deleted', ObjectVersion };
    const deleted = await this.model
      .findOneAndUpdate(
        this.live(subscriptionId, { _id: id }),
        { $set: { DeletedAt: now, ObjectVersion, LastUpdateDate: now, PendingEvent } },
        { returnDocument: 'after' },
      )
      .lean<StoredWebhook>()
      .exec();
    return deleted && readWebhook(deleted);
  }

  async purge(subscriptionId: number, id: string): Promise<void> {
    await this.model.deleteOne({ _id: id, SubscriptionID: subscriptionId, DeletedAt: { $ne: null } }).exec();
  }

  /** The event for this version is published; a later change keeps its own pending event. */
  async clearPendingEvent(subscriptionId: number, id: string, objectVersion: number): Promise<void> {
    await this.model
      .updateOne(
        { _id: id, SubscriptionID: subscriptionId, 'PendingEvent.ObjectVersion': objectVersion },
        { $set: { PendingEvent: null } },
      )
      .exec();
  }

  /**
   * Changes whose event may not have been published (the process stopped between the write and
   * the publish), across all subscriptions: the outbox relay is a system job, not a tenant's request.
   */
  async pendingEventsOfAllSubscriptions(lastUpdatedBefore: Date, limit: number): Promise<WebhookRecord[]> {
    const pending = await this.model
      .find({ PendingEvent: { $ne: null }, LastUpdateDate: { $lt: lastUpdatedBefore } })
      .limit(limit)
      .lean<StoredWebhook[]>()
      .exec();
    return pending.map(readWebhook);
  }

  /**
   * statsState for many webhooks in one query, leaving out deleted and unknown ones: one round trip
   * rather than a lookup per webhook.
   */
  async statsStates(ids: string[]): Promise<StatsState[]> {
    return this.model
      .find({ _id: { $in: ids }, DeletedAt: null }, STATS_STATE_FIELDS)
      .lean<StatsState[]>()
      .exec();
  }

  /**
   * The webhook's fields that counting its stats reads; null when it is deleted or unknown. By the
   * bare `_id`, the lookup every supported server answers from an index (docs/storage.md).
   */
  async statsState(id: string): Promise<StatsState | null> {
    const record = await this.model
      .findOne({ _id: id }, { ...STATS_STATE_FIELDS, DeletedAt: 1 })
      .lean<StatsState & Pick<WebhookRecord, 'DeletedAt'>>()
      .exec();
    if (!record || record.DeletedAt !== null) return null;
    const { DeletedAt: _deleted, ...state } = record;
    return state;
  }

  /**
   * Counts attempts in the read-only stats of several webhooks: one atomic update per webhook that
   * also makes `pending` the instance's pending count, without bumping its version (the definition
   * did not change). MAX_UPDATES_PER_COMMAND updates per command, one round trip each (and one
   * transaction on the embedded server, which makes each update cheaper: docs/storage.md). Each
   * filter is the bare `_id`, as in statsState. Answers per update whether its webhook is stored
   * (looked up one by one only when a command matched fewer than it updated), or why that update
   * failed (its fate then unknown).
   */
  async applyStatsMany(updates: StatsUpdate[]): Promise<PromiseSettledResult<boolean>[]> {
    const results: PromiseSettledResult<boolean>[] = [];
    for (let from = 0; from < updates.length; from += MAX_UPDATES_PER_COMMAND)
      results.push(...(await this.applyStatsCommand(updates.slice(from, from + MAX_UPDATES_PER_COMMAND))));
    return results;
  }

  private async applyStatsCommand(updates: StatsUpdate[]): Promise<PromiseSettledResult<boolean>[]> {
    let matched: number;
    const failed = new Map<number, unknown>();
    try {
      // Through the driver: these are plain values already, as the schema stores them.
      const collection = this.model.collection as unknown as mongo.Collection<WebhookRecord>;
      matched = (await collection.bulkWrite(updates.map(statsOperation), { ordered: false })).matchedCount;
    } catch (err) {
      if (!(err instanceof mongo.MongoBulkWriteError)) return updates.map(() => ({ status: 'rejected', reason: err }));
      matched = err.result.matchedCount;
      for (const writeError of ([] as mongo.WriteError[]).concat(err.writeErrors))
        failed.set(writeError.index, new Error(writeError.errmsg ?? `stats update ${writeError.index} failed`));
    }
    const allStored = matched === updates.length - failed.size;
    return Promise.all(
      updates.map(async ({ id }, i): Promise<PromiseSettledResult<boolean>> => {
        if (failed.has(i)) return { status: 'rejected', reason: failed.get(i) };
        try {
          const stored = allStored || (await this.model.findOne({ _id: id }, { _id: 1 }).lean().exec()) !== null;
          return { status: 'fulfilled', value: stored };
        } catch (err) {
          return { status: 'rejected', reason: err };
        }
      }),
    );
  }

  private live(subscriptionId: number, conditions: QueryFilter<WebhookRecord>): QueryFilter<WebhookRecord> {
    return { ...conditions, SubscriptionID: subscriptionId, DeletedAt: null };
  }
}

/** A webhook's stats update as applyStatsMany sends it: plain values, as the schema stores them. */
function statsOperation({
  id,
  slot,
  pending,
  clears,
  update,
  newer,
}: StatsUpdate): mongo.AnyBulkWriteOperation<WebhookRecord> {
  const { newest } = update;
  const latest = {
    ...(update.lastSuccess && { LastSuccess: update.lastSuccess }),
    ...(update.lastFailure && { LastFailure: update.lastFailure }),
  };
  return {
    updateOne: {
      filter: { _id: id },
      update: {
        $inc: { FireCount: update.fired, ...(update.errorsSinceSuccess === null && { ErrorCount: update.failed }) },
        ...(Object.keys(latest).length > 0 && { $max: latest }),
        $set: {
          [pendingCountField(slot)]: pending,
          ...(update.errorsSinceSuccess !== null && { ErrorCount: update.errorsSinceSuccess }),
          ...(newer && {
            LastAttemptAt: newest.at,
            LastStatus: newest.status,
            LastWebhookResponseTime: newest.latencyMs,
          }),
        },
        ...(clears.length > 0 && { $unset: Object.fromEntries(clears.map((field) => [field, ''])) }),
      },
    },
  };
}
