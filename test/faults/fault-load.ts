import { waitFor, webhookBody, type ApiClient, type ReceivedRequest, type Receiver } from '@hookline/testing';
import { E2eStack, type Tenant } from '../e2e/e2e-stack';

/*
 * Shared by the fault tests (test/faults): a bounded load generator for change-ingest, the count of
 * what the receivers got, and the one line each test prints. Set HOOKLINE_FAULT_LOGS=<dir> to keep
 * every service's output in <dir>/<service>.log (at LOG_LEVEL warn) for a failing run.
 */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries that outlast every fault here: 200 ms growing ×1.5 to ~7.7 s, ~23 s in all, on top of
 * the breaker's holds (which do not count as attempts).
 */
export const FAULT_RETRY_POLICY = { MaxRetries: 10, InitialDelayMs: 200, BackoffMultiplier: 1.5 };

/**
 * Dispatcher settings that keep the fault tests short: the breaker probes again after 1 s (2 s
 * after a failed probe, when the origin's parked jobs come back), an attempt gives up after 2 s, a
 * blocked URL comes back after 3 s and held jobs are looked at again within 1 s (2 s for jobs held
 * for an origin that could not be parked, spread included). Everything else (ack waits,
 * heartbeats, concurrency) is the product's own.
 */
export const FAULT_DISPATCHER_ENV = {
  BREAKER_RESET_MS: '1000',
  BREAKER_RESET_MAX_MS: '2000',
  BREAKER_WINDOW_MS: '5000',
  WEBHOOK_REQUEST_TIMEOUT: '2000',
  BLOCK_COOLOFF_MS: '3000',
  BLOCKLIST_REFRESH_MS: '500',
  HOLD_RECHECK_MS: '1000',
  HOLD_MAX_SPREAD_MS: '1000',
};

/** One webhook of a fault run and the receiver path it posts to. */
export interface FaultWebhook {
  id: string;
  path: string;
}

/**
 * `count` webhooks of the tenant that all fire on the run's changes (Defects whose `Fault`
 * attribute is the label) and post to `/<label>/<n>` on the receiver; waits until the matcher
 * has them.
 */
export async function faultWebhooks(
  e2e: E2eStack,
  tenant: Tenant,
  receiver: Receiver,
  label: string,
  count: number,
  extra: Record<string, unknown> = {},
): Promise<FaultWebhook[]> {
  const webhooks: FaultWebhook[] = [];
  for (let n = 1; n <= count; n++) {
    const path = `/${label}/${n}`;
    const created = await tenant.registry.request<{ ObjectUUID: string }>(
      'POST',
      '/api/v2/webhook',
      webhookBody({
        AppName: 'Faults',
        Name: `${label} ${n}`,
        TargetUrl: receiver.url(path),
        Expressions: [{ AttributeName: 'Fault', Operator: '=', Value: label }],
        RetryPolicy: FAULT_RETRY_POLICY,
        ...extra,
      }),
    );
    if (created.status !== 200)
      throw new Error(`webhook not created: ${created.status} ${JSON.stringify(created.body)}`);
    webhooks.push({ id: created.body.ObjectUUID, path });
  }
  await matcherCaughtUp(e2e);
  return webhooks;
}

/** Changes in a standard fault run: 300 at 50/s, for three webhooks. */
export const FAULT_CHANGES = 300;
const FAULT_PER_SECOND = 50;
const FAULT_WEBHOOKS = 3;

/**
 * A standard fault run under way: three fresh webhooks on `receiver` (see faultWebhooks) and
 * FAULT_CHANGES changes for them, started and not waited for, so the caller can strike mid-load.
 */
export async function startFaultLoad(
  e2e: E2eStack,
  tenant: Tenant,
  receiver: Receiver,
  label: string,
): Promise<{ webhooks: FaultWebhook[]; loading: Promise<LoadResult> }> {
  const webhooks = await faultWebhooks(e2e, tenant, receiver, label, FAULT_WEBHOOKS);
  const loading = runLoad(e2e.stack.url('change-ingest'), tenant.key, {
    label,
    changes: FAULT_CHANGES,
    perSecond: FAULT_PER_SECOND,
  });
  return { webhooks, loading };
}

/** Waits until the matcher's index has applied every webhook event in the stream. */
export async function matcherCaughtUp(e2e: E2eStack, timeoutMs = 20_000): Promise<void> {
  const matcher = e2e.client('matcher', e2e.stack.adminKey);
  await waitFor(
    async () => {
      try {
        const index = await matcher.request<{ loaded: boolean; lag: number }>('GET', '/api/v2/index');
        return index.status === 200 && index.body.loaded && index.body.lag === 0;
      } catch {
        return false;
      }
    },
    timeoutMs,
    100,
  );
}

export interface LoadOptions {
  /** Message ids are `<label>-<n>`, and every change carries `Fault: <label>`. */
  label: string;
  changes: number;
  perSecond: number;
  /** Number of the first message id (a second load of the same label goes on from the first). */
  firstId?: number;
  /** Changes per POST. */
  batch?: number;
  /** How long one batch is re-sent before it counts as refused. */
  batchDeadlineMs?: number;
  /** Requests under way at once; a batch whose turn comes waits for a free one. */
  maxInFlight?: number;
}

export interface LoadResult {
  label: string;
  /** Message ids change-ingest acknowledged with 202. */
  acked: string[];
  /** Message ids never acknowledged before the deadline. */
  refused: string[];
  posts: number;
  /** POSTs that were sent again (network error, 5xx, 429). */
  resent: number;
  /** What the POSTs that were not a 202 got, e.g. `503`, `500`, `network`. */
  answers: Record<string, number>;
  ms: number;
}

/**
 * A bounded, steady producer: `changes` Defect changes at `perSecond` in batches, each batch
 * POSTed to change-ingest with its own message ids and re-sent unchanged after a network error or a
 * 5xx/429 (ingest publishes a message id once, so a re-sent batch is harmless) until it gets its
 * 202 or its deadline passes.
 */
export async function runLoad(ingestUrl: string, key: string, options: LoadOptions): Promise<LoadResult> {
  const batch = options.batch ?? 5;
  const deadlineMs = options.batchDeadlineMs ?? 45_000;
  const started = Date.now();
  const result: LoadResult = {
    label: options.label,
    acked: [],
    refused: [],
    posts: 0,
    resent: 0,
    answers: {},
    ms: 0,
  };
  const note = (answer: string): void => {
    result.answers[answer] = (result.answers[answer] ?? 0) + 1;
  };
  const intervalMs = (1000 * batch) / options.perSecond;
  const batches = Math.ceil(options.changes / batch);
  let inFlight = 0;
  const maxInFlight = options.maxInFlight ?? 32;
  const sends: Promise<void>[] = [];

  const send = async (b: number): Promise<void> => {
    const ids: string[] = [];
    const first = options.firstId ?? 0;
    for (let n = b * batch; n < Math.min(options.changes, (b + 1) * batch); n++)
      ids.push(`${options.label}-${first + n}`);
    const body = JSON.stringify(
      ids.map((id, i) => ({
        message_id: id,
        action: 'Created',
        object_type: 'Defect',
        object_id: `d-${first + b * batch + i}`,
        after: { Name: `defect ${id}`, Fault: options.label },
      })),
    );
    const deadline = Date.now() + deadlineMs;
    for (let tries = 0; ; tries++) {
      if (tries > 0) result.resent++;
      result.posts++;
      let answer: string;
      try {
        const response = await fetch(`${ingestUrl}/api/v2/changes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body,
          signal: AbortSignal.timeout(Math.max(1_000, Math.min(20_000, deadline - Date.now()))),
        });
        const text = await response.text();
        if (response.status === 202) {
          const reply = JSON.parse(text) as { message_ids: string[] };
          if (JSON.stringify(reply.message_ids) !== JSON.stringify(ids)) {
            throw new Error(`ingest acknowledged ${text} for ${ids.join(',')}`);
          }
          result.acked.push(...ids);
          return;
        }
        answer = String(response.status);
        if (response.status < 500 && response.status !== 429) {
          // A refusal that re-sending cannot cure: the test fails on it.
          note(`${answer} ${text.slice(0, 200)}`);
          result.refused.push(...ids);
          return;
        }
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('ingest acknowledged')) throw err;
        answer = 'network';
      }
      note(answer);
      if (Date.now() > deadline) {
        result.refused.push(...ids);
        return;
      }
      await sleep(Math.min(2_000, 100 * 2 ** tries));
    }
  };

  for (let b = 0; b < batches; b++) {
    const due = started + b * intervalMs;
    if (due > Date.now()) await sleep(due - Date.now());
    while (inFlight >= maxInFlight) await sleep(20);
    inFlight++;
    sends.push(send(b).finally(() => inFlight--));
  }
  await Promise.all(sends);
  result.ms = Date.now() - started;
  return result;
}

export interface Tally {
  /** Pairs (change, webhook) that had to arrive. */
  expected: number;
  /** Distinct pairs the receivers accepted with a 2xx. */
  delivered: number;
  /** Accepted requests beyond the first of their pair. */
  duplicates: number;
  /** Every request that reached the receivers, failed attempts included. */
  requests: number;
  lost: string[];
  /** When the last expected pair first arrived (`Date.now()` time), 0 when none did. */
  lastArrival: number;
  /** Problems that fail the test: a pair under two webhook-ids, a webhook-id for two pairs, a pair nobody asked for. */
  problems: string[];
}

interface Delivery {
  messageId: string;
  webhookId: string;
  deliveryId: string;
}

function deliveryOf(request: ReceivedRequest): Delivery | string {
  try {
    const payload = JSON.parse(request.body) as { rule?: { ObjectUUID?: string }; message?: { message_id?: string } };
    const deliveryId = request.headers['webhook-id'];
    if (!payload.rule?.ObjectUUID || !payload.message?.message_id || typeof deliveryId !== 'string') {
      return `a request without rule, message or webhook-id at ${request.path}`;
    }
    return { messageId: payload.message.message_id, webhookId: payload.rule.ObjectUUID, deliveryId };
  } catch {
    return `a request with a body that is not JSON at ${request.path}`;
  }
}

/**
 * Counts what the webhooks' receivers got against what they should: every acknowledged change
 * once per webhook (a 2xx answer), duplicates only as repeats under the same `webhook-id`.
 */
export function tally(requests: readonly ReceivedRequest[], acked: readonly string[], webhooks: FaultWebhook[]): Tally {
  const paths = new Map(webhooks.map((w) => [w.path, w.id]));
  const expected = new Set<string>();
  for (const messageId of acked) for (const w of webhooks) expected.add(`${messageId} ${w.id}`);
  const idsOfPair = new Map<string, Set<string>>();
  const pairOfId = new Map<string, string>();
  const problems = new Set<string>();
  let accepted = 0;
  let requestCount = 0;
  for (const request of requests) {
    const webhookId = paths.get(request.path);
    if (webhookId === undefined) continue;
    requestCount++;
    const delivery = deliveryOf(request);
    if (typeof delivery === 'string') {
      problems.add(delivery);
      continue;
    }
    if (delivery.webhookId !== webhookId)
      problems.add(`${request.path} got a delivery of webhook ${delivery.webhookId}`);
    const pair = `${delivery.messageId} ${delivery.webhookId}`;
    const earlier = pairOfId.get(delivery.deliveryId);
    if (earlier !== undefined && earlier !== pair) problems.add(`webhook-id ${delivery.deliveryId} for two deliveries`);
    pairOfId.set(delivery.deliveryId, pair);
    const ids = idsOfPair.get(pair) ?? new Set<string>();
    ids.add(delivery.deliveryId);
    idsOfPair.set(pair, ids);
    if (ids.size > 1) problems.add(`${pair} arrived under ${ids.size} webhook-ids`);
    if (request.status === undefined || request.status < 200 || request.status >= 300) continue;
    accepted++;
    if (!expected.has(pair)) problems.add(`${pair} was delivered but never acknowledged by ingest`);
  }
  const delivered = new Set<string>();
  let lastArrival = 0;
  for (const request of requests) {
    if (!paths.has(request.path) || request.status === undefined || request.status < 200 || request.status >= 300)
      continue;
    const delivery = deliveryOf(request);
    if (typeof delivery === 'string') continue;
    const pair = `${delivery.messageId} ${delivery.webhookId}`;
    if (delivered.has(pair)) continue;
    delivered.add(pair);
    lastArrival = Math.max(lastArrival, request.at);
  }
  const lost = [...expected].filter((pair) => !delivered.has(pair));
  return {
    expected: expected.size,
    delivered: delivered.size,
    duplicates: accepted - delivered.size,
    requests: requestCount,
    lost,
    lastArrival,
    problems: [...problems],
  };
}

/**
 * The one line each fault test prints. `faultEnded` (a `Date.now()` time) adds how long after the
 * fault the last delivery arrived.
 */
export function report(fault: string, load: LoadResult, t: Tally, extra = '', faultEnded?: number): string {
  const answers = Object.entries(load.answers)
    .map(([answer, n]) => `${n}× ${answer}`)
    .join(', ');
  const line =
    `fault ${fault}: ${load.acked.length} changes ingested (${load.posts} POSTs, ${load.resent} re-sent` +
    `${answers ? `: ${answers}` : ''}), ${t.expected} deliveries expected, ${t.delivered} received, ` +
    `${t.duplicates} duplicates (same webhook-id), ${t.lost.length} lost` +
    `${load.refused.length ? `, ${load.refused.length} changes refused by ingest` : ''}` +
    `; ${t.requests} requests at the receivers` +
    `${faultEnded && t.lastArrival ? `; last delivery ${((t.lastArrival - faultEnded) / 1000).toFixed(1)} s after the fault ended` : ''}` +
    `${extra ? `; ${extra}` : ''}`;
  process.stdout.write(`${line}\n`);
  return line;
}

/**
 * Waits until every acknowledged change has reached every webhook (or the time is up), lets late
 * duplicates arrive, and returns the final count.
 */
export async function settle(
  receiver: Receiver,
  load: LoadResult,
  webhooks: FaultWebhook[],
  timeoutMs: number,
  quietMs = 1_000,
): Promise<Tally> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (tally(receiver.requests, load.acked, webhooks).lost.length === 0) break;
    await sleep(250);
  }
  await sleep(quietMs);
  return tally(receiver.requests, load.acked, webhooks);
}

/** The assertions every fault test ends with: everything ingested, nothing lost, no foreign duplicates. */
export function expectNothingLost(load: LoadResult, t: Tally, changes: number): void {
  expect({ refused: load.refused.slice(0, 5), acked: load.acked.length }).toEqual({ refused: [], acked: changes });
  expect({ lost: t.lost.length, firstLost: t.lost.slice(0, 5), problems: t.problems.slice(0, 5) }).toEqual({
    lost: 0,
    firstLost: [],
    problems: [],
  });
  expect(t.delivered).toBe(t.expected);
}

/** FireCount of each webhook, read from the registry as the tenant. */
export async function fireCounts(registry: ApiClient, webhooks: FaultWebhook[]): Promise<number[]> {
  return Promise.all(
    webhooks.map(async (w) => {
      const reply = await registry.request<{ FireCount: number }>('GET', `/api/v2/webhook/${w.id}`);
      return reply.status === 200 ? reply.body.FireCount : -reply.status;
    }),
  );
}

/**
 * The stack each fault suite runs on (the dispatcher retrying fast) and one tenant on it: started
 * before the suite's tests, stopped after them. Read `e2e` and `tenant` inside the tests.
 */
export function useFaultStack(
  subscription: number,
  options: { privateMongo?: boolean } = {},
): { e2e: E2eStack; tenant: Tenant } {
  const suite = {} as { e2e: E2eStack; tenant: Tenant };
  beforeAll(async () => {
    suite.e2e = await E2eStack.start({
      ...options,
      logDir: process.env.HOOKLINE_FAULT_LOGS,
      serviceEnv: { dispatcher: FAULT_DISPATCHER_ENV },
    });
    suite.tenant = await suite.e2e.tenant(subscription);
  }, 120_000);
  afterAll(async () => {
    await suite.e2e?.stop();
  });
  return suite;
}

/**
 * The attempts each webhook's receiver got, repeats under one `webhook-id` included: what its
 * FireCount must read. A job comes again when its outcome was not confirmed in time (at least once).
 */
export function attemptsAt(receiver: Receiver, webhooks: FaultWebhook[]): number[] {
  return webhooks.map((w) => receiver.requests.filter((r) => r.path === w.path).length);
}

/**
 * FireCount of each webhook and the attempts its receiver got, once they agree, or as they stand
 * after a minute (stats catch up after a fault).
 */
export async function settledFireCounts(
  registry: ApiClient,
  receiver: Receiver,
  webhooks: FaultWebhook[],
): Promise<{ counts: number[]; attempts: number[] }> {
  let counts: number[] = [];
  let attempts: number[] = [];
  await waitFor(
    async () => {
      counts = await fireCounts(registry, webhooks);
      attempts = attemptsAt(receiver, webhooks);
      return counts.every((n, i) => n === attempts[i]);
    },
    60_000,
    500,
  ).catch(() => undefined);
  return { counts, attempts };
}

/** Waits until `GET url` answers 200 (a service ready again after a fault). */
export async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  await waitFor(async () => (await fetch(url)).status === 200, timeoutMs, 100);
}

/** How long a stall lasts, and the longest a request may wait for its 503 meanwhile. */
export const STALL_MS = 15_000;
export const ANSWER_WITHIN_MS = 8_000;

export interface StallProbe {
  status: number;
  ms: number;
  retryAfter: string | null;
}

export interface Stall {
  probes: StallProbe[];
  /** The readiness answer read while the server was stalled. */
  readiness: unknown;
  /** When the server went on (SIGCONT). */
  resumedAt: number;
}

/**
 * Stalls a server for STALL_MS (SIGSTOP: its sockets stay open, nothing is answered), sending a
 * request every 500 ms until ANSWER_WITHIN_MS before the end, then reads `readyUrl`, and lets the
 * server go on (SIGCONT) whatever happened meanwhile.
 */
export async function stall(
  signal: (signal: 'SIGSTOP' | 'SIGCONT') => void,
  request: (n: number) => Promise<Response>,
  readyUrl: string,
): Promise<Stall> {
  signal('SIGSTOP');
  const stalledAt = Date.now();
  const probes: StallProbe[] = [];
  let readiness: unknown;
  try {
    while (Date.now() - stalledAt < STALL_MS - ANSWER_WITHIN_MS) {
      const started = Date.now();
      const reply = await request(probes.length).catch(() => undefined);
      probes.push({
        status: reply?.status ?? 0,
        ms: Date.now() - started,
        retryAfter: reply?.headers.get('retry-after') ?? null,
      });
      await sleep(Math.max(0, 500 - (Date.now() - started)));
    }
    const ready = await fetch(readyUrl);
    readiness = { status: ready.status, body: await ready.json() };
  } finally {
    await sleep(Math.max(0, STALL_MS - (Date.now() - stalledAt)));
    signal('SIGCONT');
  }
  return { probes, readiness, resumedAt: Date.now() };
}

/** The probes in the report line: each status and how long it took. */
export function describeProbes(probes: StallProbe[]): string {
  return probes.map((p) => `${p.status || 'none'} in ${(p.ms / 1000).toFixed(1)} s`).join(', ');
}

/** The assertion every stall test makes: each request got a 503 with Retry-After in time. */
export function expectPromptRefusals(probes: StallProbe[]): void {
  expect(probes.length).toBeGreaterThan(0);
  expect(probes.filter((p) => p.status !== 503 || p.retryAfter === null || p.ms > ANSWER_WITHIN_MS)).toEqual([]);
}
