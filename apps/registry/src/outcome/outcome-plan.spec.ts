import { TEST_DELIVERY_PREFIX, type DeliveryOutcome } from '@hookline/contracts';
import {
  attemptIdOf,
  attemptsToLookUp,
  planEffects,
  planFailedDeliveries,
  planLastProcessing,
  planLog,
  pendingCountsOf,
  planStatsCount,
  STALE_PENDING_COUNT_MS,
  stalePendingFields,
  summarize,
  uncounted,
  type Countable,
  type CountedWebhook,
  type LogPlan,
  type OutcomeItem,
} from './outcome-plan';

const attempt = (second: number, success: boolean, status = success ? 200 : 503) => ({
  success,
  status,
  latencyMs: second * 10,
  at: new Date(Date.UTC(2024, 0, 1, 0, 0, second)),
});

describe('summarize: what a batch of one webhook changes in its stats', () => {
  it('takes the Last* fields from the newest attempt whatever the order they came in', () => {
    const summary = summarize([attempt(3, false, 502), attempt(1, true), attempt(2, false)]);
    expect(summary).toEqual({
      fired: 3,
      failed: 2,
      errorsSinceSuccess: 2,
      lastSuccess: new Date(Date.UTC(2024, 0, 1, 0, 0, 1)),
      lastFailure: new Date(Date.UTC(2024, 0, 1, 0, 0, 3)),
      newest: attempt(3, false, 502),
    });
  });

  it('resets the error count on a success after the failures, and only adds failures when none succeeded', () => {
    expect(summarize([attempt(1, false), attempt(2, true)]).errorsSinceSuccess).toBe(0);
    const failures = summarize([attempt(1, false), attempt(2, false)]);
    expect(failures).toMatchObject({ errorsSinceSuccess: null, failed: 2, lastSuccess: null });
  });
});

describe('attemptIdOf: the delivery-log key of an attempt', () => {
  const outcome = (deliveryId: string, at: string, fields: Partial<DeliveryOutcome> = {}): DeliveryOutcome => ({
    deliveryId,
    tenant: '100',
    webhookId: 'w',
    kind: 'success',
    attempt: 1,
    latencyMs: 3,
    at,
    ...fields,
  });

  it('orders attempts by their time whatever their delivery ids, and names each attempt the same every time', () => {
    const early = outcome('msg_ffff', '2024-01-01T00:00:01.000Z');
    const late = outcome('msg_0000', '2024-01-01T00:00:02.000Z');
    expect([attemptIdOf(late), attemptIdOf(early)].sort()).toEqual([attemptIdOf(early), attemptIdOf(late)]);
    expect(attemptIdOf({ ...early })).toBe('2024-01-01T00:00:01.000Z|msg_ffff#1');
    // Another way of writing the same instant: the same key.
    expect(attemptIdOf(outcome('msg_ffff', '2024-01-01T01:00:01+01:00'))).toBe(attemptIdOf(early));
    expect(attemptIdOf({ ...early, attempt: 2 })).not.toBe(attemptIdOf(early));
  });

  it('keys a hold by its attempt alone, beside the attempt it delayed: each report of it is one entry', () => {
    const held = outcome('msg_1', '2024-01-01T00:00:01.000Z', { kind: 'held' });
    expect(attemptIdOf({ ...held, at: '2024-01-01T00:05:00.000Z' })).toBe(attemptIdOf(held));
    expect(attemptIdOf(held)).not.toBe(attemptIdOf({ ...held, kind: 'success' }));
  });
});

describe('planning the writes of a batch of outcomes', () => {
  const T0 = Date.UTC(2024, 0, 1);
  let seq = 0;
  const item = (fields: Partial<DeliveryOutcome> = {}, subscriptionId = 100): OutcomeItem => ({
    subscriptionId,
    outcome: {
      deliveryId: `msg_${++seq}:wh_1`,
      tenant: String(subscriptionId),
      webhookId: 'wh_1',
      kind: 'success',
      attempt: 1,
      latencyMs: 7,
      at: new Date(T0 + seq * 1000).toISOString(),
      messageId: `msg_${seq}`,
      ...fields,
    },
  });
  const storedAll = (log: LogPlan) => ({ created: new Set(log.records.map((r) => r._id)), foreign: new Set<string>() });
  const countable = (id: string, second: number, success: boolean, fresh: boolean): Countable => ({
    id,
    fresh,
    success,
    status: success ? 200 : 503,
    latencyMs: 5,
    at: new Date(T0 + second * 1000),
  });

  describe('the log (planLog)', () => {
    it('logs the first copy of an attempt once; later copies share its result', () => {
      const first = item();
      const other = item({ kind: 'failed', status: 500 });
      const log = planLog([first, other, { ...first }, { ...first }]);
      expect(log.logged).toEqual([0, 1]);
      expect(log.copies).toEqual([
        { item: 2, first: 0 },
        { item: 3, first: 0 },
      ]);
      expect(log.records.map((r) => r._id)).toEqual([attemptIdOf(first.outcome), attemptIdOf(other.outcome)]);
    });

    it('leaves test deliveries out, copies included', () => {
      const test = item({ deliveryId: `${TEST_DELIVERY_PREFIX}1:wh_1` });
      const log = planLog([test, item(), { ...test }]);
      expect(log.testDeliveries).toEqual([0, 2]);
      expect(log.logged).toEqual([1]);
      expect(log.copies).toEqual([]);
    });

    it('records what the log shows of each attempt, nulls where the outcome has nothing', () => {
      const traced = item({
        kind: 'failed',
        status: 503,
        error: 'HTTP 503',
        errorKind: 'status',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        request: { url: 'https://r.example/hook', headers: { authorization: '********' }, bodyExcerpt: '{}' },
        responseHeaders: { 'retry-after': '5' },
        responseExcerpt: 'x'.repeat(3000),
      });
      const bare = item({ kind: 'retry', errorKind: 'timeout' });
      const [withAll, withNothing] = planLog([traced, bare]).records;
      expect(withAll).toEqual({
        _id: attemptIdOf(traced.outcome),
        SubscriptionID: 100,
        WebhookID: 'wh_1',
        DeliveryID: traced.outcome.deliveryId,
        Attempt: 1,
        Kind: 'failed',
        Status: 503,
        LatencyMs: 7,
        Error: 'HTTP 503',
        At: new Date(traced.outcome.at),
        TraceID: '0af7651916cd43dd8448eb211c80319c',
        ErrorKind: 'status',
        Request: { Url: 'https://r.example/hook', Headers: { authorization: '********' }, BodyExcerpt: '{}' },
        // The log keeps the start of a response only.
        Response: { Headers: { 'retry-after': '5' }, BodyExcerpt: 'x'.repeat(2048) },
      });
      expect(withNothing).toMatchObject({
        Kind: 'retry',
        Status: null,
        Error: null,
        TraceID: null,
        ErrorKind: 'timeout',
        Request: null,
        Response: null,
      });
    });
  });

  describe('the effects (planEffects)', () => {
    it('counts attempts by webhook and subscription; holds and 410s are not counted', () => {
      const items = [
        item(),
        item({ kind: 'held', errorKind: 'breaker-open' }),
        item({ kind: 'gone', status: 410 }),
        item({ webhookId: 'wh_2' }),
        item({ kind: 'failed', status: 500 }),
        item({}, 200),
      ];
      const log = planLog(items);
      const effects = planEffects(items, log, storedAll(log));
      expect(effects.gone).toEqual([2]);
      expect(effects.foreign).toEqual([]);
      expect(
        effects.groups.map(({ subscriptionId, webhookId, members }) => [subscriptionId, webhookId, members]),
      ).toEqual([
        [100, 'wh_1', [0, 4]],
        [100, 'wh_2', [3]],
        [200, 'wh_1', [5]],
      ]);
      expect(effects.groups[0].attempts.map((a) => [a.success, a.status, a.fresh])).toEqual([
        [true, null, true],
        [false, 500, true],
      ]);
    });

    it('refuses an attempt another subscription logged, 410 included; marks attempts logged before as not fresh', () => {
      const items = [item(), item({ kind: 'gone', status: 410 }), item()];
      const log = planLog(items);
      const effects = planEffects(items, log, {
        created: new Set([log.ids[0]]),
        foreign: new Set([log.ids[1]]),
      });
      expect(effects.foreign).toEqual([1]);
      expect(effects.gone).toEqual([]);
      expect(effects.groups[0].attempts.map((a) => a.fresh)).toEqual([true, false]);
    });
  });

  describe('the stats count', () => {
    const attempts = [
      countable('fresh', 1, true, true),
      countable('pending', 2, false, false),
      countable('noted', 3, false, false),
      countable('lost', 4, false, false),
    ];

    it('looks up only attempts logged before that the pending entry does not name', () => {
      expect(attemptsToLookUp(attempts, new Set(['pending']))).toEqual(['noted', 'lost']);
    });

    it('counts fresh attempts and those logged before but counted nowhere', () => {
      expect(uncounted(attempts, new Set(['pending']), new Set(['noted'])).map((a) => a.id)).toEqual(['fresh', 'lost']);
    });

    it("reads every instance's pending count and the one stored before them; removes only others' stale ones", () => {
      const now = new Date(T0 + STALE_PENDING_COUNT_MS + 5_000);
      const state = {
        _id: 'wh_1',
        SubscriptionID: 100,
        LastAttemptAt: null,
        StatsPendingBy: {
          me: { Batch: 'm', Attempts: ['m1'], At: new Date(T0) },
          busy: { Batch: 'b', Attempts: ['b1'], At: new Date(T0 + 10_000) },
          gone: { Batch: 'g', Attempts: ['g1', 'g2'], At: new Date(T0) },
        },
        StatsPending: { Batch: 'old', Attempts: ['o1'] },
      };
      const counts = pendingCountsOf(state);
      expect(counts.flatMap(({ count }) => count.Attempts)).toEqual(['m1', 'b1', 'g1', 'g2', 'o1']);
      expect(stalePendingFields(counts, 'me', now)).toEqual(['StatsPendingBy.gone', 'StatsPending']);
      expect(pendingCountsOf({ _id: 'wh_2', SubscriptionID: 100, LastAttemptAt: null })).toEqual([]);
    });

    const known: CountedWebhook = {
      subscriptionId: 100,
      lastAttemptAt: new Date(T0 + 2_000),
      dialect: null,
      clears: ['StatsPendingBy.gone'],
    };
    const at = new Date(T0 + 10_000);
    const entry = (batch: string) => ({ slot: 'me', batch, at });

    it("names the counted attempts in the instance's pending entry, removes the stale ones it read, and says whether they are newer than the Last* fields", () => {
      const toCount = [countable('a', 3, false, true), countable('b', 1, true, true)];
      expect(planStatsCount(100, 'wh_1', known, toCount, entry('batch-1'))).toEqual({
        id: 'wh_1',
        slot: 'me',
        pending: { Batch: 'batch-1', Attempts: ['a', 'b'], At: at },
        clears: ['StatsPendingBy.gone'],
        update: summarize(toCount),
        newer: true,
      });
      expect(planStatsCount(100, 'wh_1', known, [countable('c', 1, true, true)], entry('batch-2'))?.newer).toBe(false);
      const neverCounted = { ...known, lastAttemptAt: null };
      expect(planStatsCount(100, 'wh_1', neverCounted, [countable('c', 1, true, true)], entry('b'))?.newer).toBe(true);
    });

    it("counts nothing for another subscription's webhook, nor when every attempt was counted", () => {
      expect(planStatsCount(200, 'wh_1', known, [countable('a', 3, true, true)], entry('b'))).toBeNull();
      expect(planStatsCount(100, 'wh_1', known, [], entry('b'))).toBeNull();
    });
  });

  describe('failed deliveries kept for replay (planFailedDeliveries)', () => {
    it('keeps each failed delivery not refused so far, with its saved payload for replay', () => {
      const payload = { '536870913': 'High', '7': 'New' };
      const items = [
        item({ kind: 'failed', status: 503, error: 'HTTP 503 (after 4 attempts)', attempt: 4, payload }),
        item({ kind: 'failed', errorKind: 'refused', messageId: undefined }),
        item({ kind: 'failed', status: 500 }),
        item({ kind: 'retry', status: 503 }),
      ];
      const { members, saves } = planFailedDeliveries(items, [0, 1, 2, 3], (i) => i === 2);
      expect(members).toEqual([0, 1]);
      expect(saves).toEqual([
        {
          subscriptionId: 100,
          record: {
            _id: items[0].outcome.deliveryId,
            WebhookID: 'wh_1',
            MessageID: items[0].outcome.messageId,
            Payload: payload,
            LastStatus: 503,
            Attempts: 4,
            Error: 'HTTP 503 (after 4 attempts)',
            FailedAt: new Date(items[0].outcome.at),
          },
        },
        {
          subscriptionId: 100,
          record: expect.objectContaining({ MessageID: null, Payload: null, LastStatus: null, Error: null }),
        },
      ]);
    });
  });

  describe("BMC's last processing (planLastProcessing)", () => {
    const bmc: CountedWebhook = { subscriptionId: 100, lastAttemptAt: null, dialect: 'bmc', clears: [] };
    const plan = (
      items: OutcomeItem[],
      known: Record<string, CountedWebhook>,
      { refused = [] as number[], owesNothing = [] as string[] } = {},
    ) =>
      planLastProcessing(
        items,
        items.map((_, i) => i),
        (i) => refused.includes(i),
        (id) => known[id],
        (id) => owesNothing.includes(id),
      );

    it('sends saved payloads once more after a stored success of a BMC webhook, once per webhook', () => {
      expect(plan([item(), item(), item({ webhookId: 'wh_2' })], { wh_1: bmc, wh_2: bmc })).toEqual(
        new Map([
          ['wh_1', 100],
          ['wh_2', 100],
        ]),
      );
    });

    it('not for failures, refused successes, other dialects, other subscriptions, or webhooks that owe nothing', () => {
      expect(plan([item({ kind: 'failed' }), item({ kind: 'retry' })], { wh_1: bmc }).size).toBe(0);
      expect(plan([item()], { wh_1: bmc }, { refused: [0] }).size).toBe(0);
      expect(plan([item()], { wh_1: { ...bmc, dialect: 'rally' } }).size).toBe(0);
      expect(plan([item()], {}).size).toBe(0);
      expect(plan([item({}, 200)], { wh_1: bmc }).size).toBe(0);
      expect(plan([item()], { wh_1: bmc }, { owesNothing: ['wh_1'] }).size).toBe(0);
    });
  });
});
