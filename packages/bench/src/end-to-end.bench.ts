/**
 * Issue 8's benchmark: the whole platform as real processes (change-ingest → matcher → dispatcher
 * → receiver, with the registry recording outcomes) beside the raw limit of the same machine.
 *
 * 1. Raw limit, in a child process of its own (raw-sender.ts): undici alone to the receivers, and
 *    a JetStream publish + pull-consume pipeline whose consumer POSTs each message with undici and
 *    acks it (the "raw JetStream + undici pipeline"), on a nats-server of its own.
 * 2. The stack (ProcessStack: registry, change-ingest, matcher, dispatcher as `node dist/main.js`
 *    processes, nats-server, a MongoDB-wire server), 10,000 webhooks (1,000 tenants × 10) pointing
 *    at 20 receivers in this process: all through the registry's REST API on MongoDB; on FerretDB
 *    200 through REST and the rest published on WEBHOOKS as the registry would (see `register`).
 * 3. Changes through the NATS ingest (request/reply `ingest.changes.<subscriptionId>`) that fan
 *    out to 1 or 10 webhooks: at max (closed loop), each max run right after a raw pipeline max of
 *    its own round; then at a fixed offered rate of half the throughput target (50% of the median
 *    raw max, so a quarter of it); latency is from the ingest request to the receiver having the
 *    whole body.
 * 4. The fan-out-10 fixed-rate run again with 10% of the receivers dead (refusing connections), as
 *    the issue's target says: the healthy receivers' p99 against an all-healthy round run right
 *    before it (healthy and dead rounds alternate; the dead receivers come back in between).
 *    Then the same series with them hanging (accepting requests and never answering: slow
 *    receivers), reported beside the target.
 *
 * Every comparison is made ROUNDS (3) times and each target is judged on the medians. Every phase
 * is bounded by a count and a time limit; the whole run takes about fifteen minutes.
 *
 * For profiling: BENCH_RAW_MAX=<deliveries/s> skips the raw runs; BENCH_RUNS=max1,paced1,max10,
 * paced10,bad picks runs; BENCH_BAD=dead,hang (the default) are the bad receivers' series: dead
 * (refusing connections; the target), then hanging (slow), and hang+dead one of each;
 * BENCH_ROUNDS; BENCH_PACED_SECONDS; BENCH_REST_WEBHOOKS; BENCH_TRACE=1 prints the
 * queues every second and the services' warnings; BENCH_PROFILE=dispatcher,matcher writes V8 CPU
 * profiles to BENCH_PROFILE_DIR (./bench-profiles), or runs them with BENCH_NODE_OPTIONS instead
 * (e.g. `--require ./gc-watch.js`); BENCH_WITHOUT_REGISTRY=1 stops the registry after
 * registration, to see what its outcome bookkeeping costs the delivery path.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { SUBJECTS, type WebhookEvent } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { createHooklineClient } from '@hookline/client';
import { ProcessStack, Receiver, startNats, type RunningServer } from '@hookline/testing';
import type { RawSenderConfig, RawSenderResult } from './raw-sender';
import { CpuMeter, type CpuUse } from './cpu-meter';
import { describeBuckets, waitBuckets } from './histograms';
import { closedLoop, paced } from './load';
import { settle as settleQueues } from './queues';
import { logServiceOutput, stopStackOnSignal, withProfiles } from './stack-lifecycle';
import { fmtRate, log, median, quantile, table } from './stats';
import { now, sleep, Tally } from './tally';

const RECEIVERS = 20;
const TENANTS = Number(process.env.BENCH_TENANTS ?? 1_000);
const PER_TENANT = 10;
const FIRST_SUBSCRIPTION = 1_001;
/** Receivers made bad in the last run: 2 of 20 = 10%. */
const BAD_RECEIVERS = [0, 1];
type BadKind = 'dead' | 'hang';
/** A series of healthy/bad round pairs with the bad receivers behaving one way (one kind each, in turn). */
interface BadSeries {
  kinds: BadKind[];
  label: string;
  /** The all-healthy fan-out-10 round run right before each bad one: the bad rounds' baseline. */
  beside: Tally[];
  degraded: Tally[];
}
/** The dispatcher's DISPATCH_CONCURRENCY and ORIGIN_CONCURRENCY, so the raw sender has the same budget. */
const CONCURRENCY = 256;
const CONNECTIONS_PER_ORIGIN = 32;

const RAW_UNDICI_REQUESTS = 20_000;
const RAW_JS_MESSAGES = 20_000;
const RAW_PUBLISH_WINDOW = 256;
/** Producers in flight for the max-rate runs. */
const PRODUCERS = 64;
const MAX_RUN_DELIVERIES = 20_000;
const MAX_RUN_SEND_LIMIT_MS = 30_000;
/**
 * Long enough for a steady p99: in 10 s runs one busy second (a GC, a burst of bookkeeping)
 * moved it by half (fan-out 10 at a quarter of the raw max: 69 to 130 ms on the same commit).
 */
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 30);
/**
 * Sent before each paced run at its rate and fan-out, and not counted: a paced run measures the
 * steady state: the first second after the stack sat idle, or of its first fan-out-1 run, had a
 * p50 of up to 190 ms.
 */
const RUN_WARMUP_SECONDS = 5;
/**
 * Each comparison is made this many times and judged on the median: the machine's speed drifts by
 * a fifth within minutes, and one slow minute moved a 30 s run's p99 from 35 to 185 ms.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DRAIN_TIMEOUT_MS = 30_000;
const SETTLE_TIMEOUT_MS = 60_000;
const REGISTRATION_CONCURRENCY = 32;
/** Webhooks registered through REST when the database is FerretDB (see `register`). */
const FERRETDB_REST_WEBHOOKS = 200;

const TARGET_THROUGHPUT_RATIO = 0.5;
const TARGET_P99_MS = 100;
const TARGET_HEALTHY_P99_RATIO = 1.2;

/** BENCH_WITHOUT_REGISTRY: nobody records outcomes, so settling does not wait for them. */
const withoutRegistry = Boolean(process.env.BENCH_WITHOUT_REGISTRY);

/** The stack idle again, or SETTLE_TIMEOUT_MS passed (see queues.ts). */
const settle = (client: NatsClient) => settleQueues(client, { timeoutMs: SETTLE_TIMEOUT_MS, withoutRegistry });

let tally: Tally | undefined;
const bad = new Set<number>();
/** After a bad round: the distinct deliveries of its changes that reached the bad receivers once back. */
let recovering: { run: Tally; delivered: Set<string> } | undefined;

function listen(receiver: Receiver, index: number): void {
  receiver.record = false;
  receiver.onRequest = (request) => {
    const at = now();
    const match = /"message_id":"([^"]+)"/.exec(request.body);
    if (!match) return;
    const deliveryId = request.headers['webhook-id'];
    if (recovering && BAD_RECEIVERS.includes(index) && recovering.run.sentAt.has(match[1]))
      recovering.delivered.add(typeof deliveryId === 'string' ? deliveryId : match[1]);
    const current = tally;
    if (!current) return;
    if (bad.has(index)) {
      if (current.sentAt.has(match[1])) current.toBad++;
      return;
    }
    current.received(typeof deliveryId === 'string' ? deliveryId : match[1], match[1], at, request.body.length);
  };
}

const cpu = new CpuMeter('bench (load + receivers)');

/** Runs raw-sender.ts with the config; `onReady` runs once a jetstream consumer exists. */
async function rawSender(config: RawSenderConfig, onReady?: () => Promise<void>): Promise<RawSenderResult> {
  const child = spawn(process.execPath, [join(__dirname, 'raw-sender.js'), JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let readyCalled = false;
  let ready: Promise<void> = Promise.resolve();
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!readyCalled && output.includes('READY\n')) {
      readyCalled = true;
      ready = onReady?.() ?? Promise.resolve();
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  await ready;
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`raw sender (${config.mode}) exited with ${code}: ${output}`);
  return JSON.parse(line.slice('RESULT '.length)) as RawSenderResult;
}

interface RunRow {
  run: string;
  tally: Tally;
  cpu: CpuUse;
  complete: boolean;
}

function rawBody(messageId: string, padding: string): string {
  return JSON.stringify({
    rule: { _type: 'webhook', Name: 'bench', TargetUrl: 'http://127.0.0.1/hook', ObjectTypes: ['Defect'] },
    message: { message_id: messageId, action: 'Created', object_type: 'Defect', state: { Name: { value: padding } } },
  });
}

/** undici alone, closed loop, in the raw sender's process: what one process can POST here. */
async function rawUndici(urls: string[], bodyPadding: string) {
  log('raw: undici alone ...');
  cpu.begin();
  const result = await rawSender({
    mode: 'undici',
    urls,
    count: RAW_UNDICI_REQUESTS,
    concurrency: CONCURRENCY,
    connectionsPerOrigin: CONNECTIONS_PER_ORIGIN,
    body: rawBody('raw-undici', bodyPadding),
  });
  const cpuLine = `raw sender ${result.cpuPercent}%, ${cpu.end().percent()}`;
  const rate = result.sent / result.seconds;
  log(`  ${fmtRate(rate)} requests/s; CPU ${cpuLine}`);
  return { result, rate, cpuLine };
}

/**
 * The raw JetStream + undici pipeline, on a nats-server of its own that stays up (idle) beside the
 * stack, so each of its runs can sit right before the stack run it is compared with: this
 * machine's speed drifts by a fifth within minutes, and a raw max measured minutes earlier
 * compared the stack with a different machine.
 */
class RawPipeline {
  private runs = 0;

  private constructor(
    private readonly nats: RunningServer,
    private readonly client: NatsClient,
    private readonly urls: string[],
    private readonly bodyPadding: string,
  ) {}

  static async start(urls: string[], bodyPadding: string): Promise<RawPipeline> {
    const nats = await startNats({ private: true });
    const pid = /\(pid (\d+)\)/.exec(nats.source)?.[1];
    if (pid) cpu.name(Number(pid), 'raw nats-server');
    const client = await NatsClient.connect(nats.url, 'bench-raw-publisher');
    await client.jsm.streams.add({
      name: 'RAWBENCH',
      subjects: ['rawbench.>'],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    return new RawPipeline(nats, client, urls, bodyPadding);
  }

  /** Closed loop: the parent publishes with RAW_PUBLISH_WINDOW in flight. */
  max(name: string): Promise<RunRow> {
    return this.run(name, RAW_JS_MESSAGES, (run) =>
      closedLoop(RAW_JS_MESSAGES, RAW_PUBLISH_WINDOW, 60_000, (i) => this.publish(run, i)),
    );
  }

  paced(name: string, perSecond: number): Promise<RunRow> {
    return this.run(name, Math.round(perSecond * PACED_SECONDS), (run) =>
      paced(perSecond, PACED_SECONDS, (i) => this.publish(run, i)),
    );
  }

  async stop(): Promise<void> {
    await this.client.close();
    await this.nats.stop();
  }

  private publish(run: Tally, i: number): Promise<unknown> {
    const id = `${run.name}-${i}`;
    run.sent(id);
    return this.client.js.publish(`rawbench.${i % RECEIVERS}`, rawBody(id, this.bodyPadding), { msgID: id });
  }

  private async run(name: string, count: number, drive: (run: Tally) => Promise<unknown>): Promise<RunRow> {
    const run = new Tally(name, count);
    tally = run;
    cpu.begin();
    const sent = await rawSender(
      {
        mode: 'jetstream',
        natsUrl: this.nats.url,
        stream: 'RAWBENCH',
        durable: `raw-${++this.runs}`,
        urls: this.urls,
        count,
        concurrency: CONCURRENCY,
        connectionsPerOrigin: CONNECTIONS_PER_ORIGIN,
      },
      async () => {
        await drive(run);
      },
    );
    const complete = await run.complete(DRAIN_TIMEOUT_MS);
    tally = undefined;
    const use = cpu.end();
    use.used.set('raw sender', (sent.cpuPercent / 100) * sent.seconds);
    log(
      `  ${fmtRate(run.deliveriesPerSecond)} deliveries/s, p50 ${run.p(0.5).toFixed(1)} ms, p99 ${run.p(0.99).toFixed(1)} ms, ` +
        `${run.seen.size}/${run.expected} delivered; CPU ${use.percent()}; CPU ms per delivery ${use.perDelivery(run.seen.size)}`,
    );
    return { run: name, tally: run, cpu: use, complete };
  }
}

/** The receiver of tenant t's webhook k: neighbouring tenants use the two halves of the receivers. */
const receiverOf = (tenantIndex: number, k: number): number => (tenantIndex * PER_TENANT + k) % RECEIVERS;

/**
 * The tenant of change n and, at fan-out 1, its one webhook k. Fan-out 1 walks a tenant's webhooks
 * before moving on, so consecutive changes go to every receiver in turn, as the raw pipeline's
 * messages do; a fan-out-10 change goes to the tenant's ten webhooks, tenants in turn.
 */
const routeOf = (n: number, fanout: 1 | 10): { t: number; k: number } =>
  fanout === 10 ? { t: n % TENANTS, k: 0 } : { t: Math.floor(n / PER_TENANT) % TENANTS, k: n % PER_TENANT };

interface Registration {
  /** Webhooks created through the registry's REST API, and how long that took. */
  rest: number;
  restSeconds: number;
  /** Webhooks published straight on WEBHOOKS (see `register`). */
  published: number;
  publishedSeconds: number;
  keySeconds: number;
  /** Tenants given an API key for their REST-made webhooks. */
  keyTenants: number;
  /** Seconds from the first creation until the matcher's index held every webhook. */
  indexedSeconds: number;
  total: number;
}

/**
 * 10,000 webhooks, 10 per tenant, webhook k of a tenant listening for `Route` k<k> or `all`.
 *
 * `restCount` of them, spread evenly over the order in which the runs' changes reach them (every
 * 50th with 200 of 10,000), go through the registry's REST API (API key per tenant, then POST
 * /api/v2/webhook): only those have stats the registry updates after each batch of outcomes, and
 * the first 200 in a row had put all those updates, about a millisecond of FerretDB each, into one
 * 80 ms slice of every 3.9 s pass over the webhooks, a spike the other webhooks' deliveries queued
 * behind. The rest, if any, are published straight on WEBHOOKS as copies of the event
 * the registry itself published for a REST-made one (identity, name, target and expression
 * changed; its sealed signing secret kept), so the matcher and dispatcher hold exactly what REST
 * registration gives them; only the registry's database lacks them. That is for FerretDB 1.x, the
 * local stand-in for MongoDB: it uses an index only for a bare `{_id}` filter and decodes the whole
 * collection for any other, so each REST creation costs time in proportion to the webhooks
 * already stored: 10,000 would take hours.
 */
async function register(
  stack: ProcessStack,
  client: NatsClient,
  receivers: Receiver[],
  restCount: number,
  concurrency: number,
): Promise<Registration> {
  const total = TENANTS * PER_TENANT;
  // Webhook n (tenant n / 10, its webhook n % 10) goes through REST when n is a multiple of the stride.
  const stride = Math.max(1, Math.floor(total / Math.max(1, restCount)));
  const webhooks = Array.from({ length: total }, (_, n) => n);
  const restWebhooks = webhooks.filter((n) => n % stride === 0).slice(0, restCount);
  const restSet = new Set(restWebhooks);
  const restTenants = [...new Set(restWebhooks.map((n) => Math.floor(n / PER_TENANT)))];
  const operator = createHooklineClient({ baseUrl: stack.url('registry'), token: stack.adminKey });
  const matcher = createHooklineClient({ baseUrl: stack.url('matcher'), token: stack.adminKey });
  const definition = (t: number, k: number) => ({
    AppName: 'bench',
    AppUrl: 'https://bench.example',
    Name: `bench ${t}/${k}`,
    TargetUrl: receivers[receiverOf(t, k)].url('/hook'),
    ObjectTypes: ['Defect'],
    // k<k> fans a change out to webhook k alone, `all` to the tenant's ten.
    Expressions: [{ AttributeName: 'Route', Operator: '~' as const, Value: [`k${k}`, 'all'] }],
  });

  const keys = new Map<number, string>();
  const keysStarted = performance.now();
  await closedLoop(restTenants.length, REGISTRATION_CONCURRENCY, 600_000, async (i) => {
    const subscription = FIRST_SUBSCRIPTION + restTenants[i];
    const { data, error } = await operator.POST('/api/v2/apikey', {
      body: { Name: `bench ${subscription}`, Roles: ['admin'], SubscriptionID: subscription },
    });
    if (!data) throw new Error(`API key creation failed: ${JSON.stringify(error)}`);
    keys.set(restTenants[i], data.Key);
  });
  const keySeconds = (performance.now() - keysStarted) / 1000;

  const started = performance.now();
  let template: WebhookEvent | undefined;
  await closedLoop(restWebhooks.length, concurrency, 3_600_000, async (i) => {
    const n = restWebhooks[i];
    const t = Math.floor(n / PER_TENANT);
    const tenant = createHooklineClient({ baseUrl: stack.url('registry'), token: keys.get(t)! });
    const { data, error } = await tenant.POST('/api/v2/webhook', { body: definition(t, n % PER_TENANT) });
    if (!data) throw new Error(`webhook creation failed: ${JSON.stringify(error)}`);
    if (n === 0) {
      const stored = await client.jsm.streams.getMessage('WEBHOOKS', {
        last_by_subj: SUBJECTS.webhookEvent(String(FIRST_SUBSCRIPTION), data.ObjectUUID),
      });
      template = stored?.json<WebhookEvent>();
    }
  });
  const restSeconds = (performance.now() - started) / 1000;

  const publishedStarted = performance.now();
  const publishedWebhooks = webhooks.filter((n) => !restSet.has(n));
  const published = publishedWebhooks.length;
  if (published > 0) {
    if (!template?.webhook || !template.spec)
      throw new Error('no webhook event to copy: register at least one through REST');
    const base = template;
    const events = publishedWebhooks.map((n): WebhookEvent => {
      const t = Math.floor(n / PER_TENANT);
      const tenant = String(FIRST_SUBSCRIPTION + t);
      const webhookId = randomUUID();
      const { Name, TargetUrl, Expressions } = definition(t, n % PER_TENANT);
      return {
        ...base,
        tenant,
        webhookId,
        webhook: {
          ...base.webhook!,
          Name,
          TargetUrl,
          Expressions: Expressions.map((e) => ({ AttributeID: null, ...e })),
          ObjectUUID: webhookId,
          SubscriptionID: Number(tenant),
          _ref: base.webhook!._ref.replace(base.webhookId, webhookId),
        },
        spec: { ...base.spec!, TargetUrl },
      };
    });
    await closedLoop(events.length, 256, 600_000, (i) =>
      client.js.publish(SUBJECTS.webhookEvent(events[i].tenant, events[i].webhookId), JSON.stringify(events[i]), {
        msgID: `${events[i].webhookId}:1`,
      }),
    );
  }
  const publishedSeconds = (performance.now() - publishedStarted) / 1000;

  for (;;) {
    const { data: index } = await matcher.GET('/api/v2/index');
    if (index?.total === total) break;
    if (performance.now() - publishedStarted > 300_000)
      throw new Error(`the matcher indexed ${index?.total} of ${total} webhooks`);
    await sleep(100);
  }
  const indexedSeconds = (performance.now() - started) / 1000;
  return {
    rest: restWebhooks.length,
    restSeconds,
    published,
    publishedSeconds,
    keySeconds,
    keyTenants: restTenants.length,
    indexedSeconds,
    total,
  };
}

/** Longest wait for bad receivers' parked jobs once they are back: the first probe comes BREAKER_RESET_MS (30 s) after the breaker opened. */
const RECOVERY_TIMEOUT_MS = 120_000;

/** Waits until PARKED_DELIVERIES is empty and the stack idle again (see settle). */
async function recoverParked(client: NatsClient): Promise<{ seconds: number; settled: boolean }> {
  const started = performance.now();
  while (performance.now() - started < RECOVERY_TIMEOUT_MS) {
    const parked = await client.jsm.streams.info('PARKED_DELIVERIES');
    if (parked.state.messages === 0) {
      const idle = await settle(client);
      return { seconds: (performance.now() - started) / 1000, settled: idle.settled };
    }
    await sleep(500);
  }
  return { seconds: RECOVERY_TIMEOUT_MS / 1000, settled: false };
}

async function traceQueues(client: NatsClient, run: Tally): Promise<void> {
  const [changes, deliveries, outcomes] = await Promise.all([
    client.jsm.consumers.info('CHANGES', 'matcher'),
    client.jsm.consumers.info('DELIVERIES', 'dispatcher'),
    client.jsm.consumers.info('OUTCOME_BATCHES', 'registry-outcome-batches'),
  ]).catch(() => []);
  if (!changes || !deliveries || !outcomes) return;
  log(
    `    sent ${run.sentAt.size}, received ${run.seen.size}; CHANGES pending ${changes.num_pending} in flight ${changes.num_ack_pending}; ` +
      `DELIVERIES pending ${deliveries.num_pending} in flight ${deliveries.num_ack_pending}; OUTCOME_BATCHES pending ${outcomes.num_pending}`,
  );
}

async function main(): Promise<void> {
  const receivers = await Promise.all(Array.from({ length: RECEIVERS }, () => Receiver.start()));
  receivers.forEach(listen);
  const notes: string[] = [];
  let stack: ProcessStack | undefined;
  stopStackOnSignal(() => stack);
  const urls = receivers.map((r) => `http://127.0.0.1:${r.port}`);
  // About the size of the fan-out payloads below ({rule, message} of a small Defect change).
  const bodyPadding = 'x'.repeat(1_500);
  let rawPipeline: RawPipeline | undefined;
  try {
    // BENCH_RAW_MAX=<deliveries/s> skips the raw runs (for profiling the stack alone).
    const fixedRawMax = process.env.BENCH_RAW_MAX ? Number(process.env.BENCH_RAW_MAX) : undefined;
    const undici = fixedRawMax === undefined ? await rawUndici(urls, bodyPadding) : undefined;
    if (fixedRawMax === undefined) rawPipeline = await RawPipeline.start(urls, bodyPadding);
    const rawRows: RunRow[] = [];
    /** The raw pipeline's max measured now (BENCH_RAW_MAX instead, if set). */
    const rawMaxNow = async (round: number): Promise<number> => {
      if (!rawPipeline) return fixedRawMax!;
      log(`raw: JetStream + undici pipeline at max (round ${round}) ...`);
      const row = await rawPipeline.max(`raw JetStream + undici, max (round ${round})`);
      rawRows.push(row);
      return row.tally.deliveriesPerSecond;
    };

    log('stack: starting registry, change-ingest, matcher, dispatcher ...');
    const stackStarted = performance.now();
    stack = await ProcessStack.start({
      services: ['registry', 'change-ingest', 'matcher', 'dispatcher'],
      env: { LOG_LEVEL: process.env.BENCH_TRACE ? 'warn' : 'error' },
      serviceEnv: withProfiles({
        dispatcher: {
          WEBHOOK_ALLOW_HTTP: 'true',
          WEBHOOK_HTTP_PORTS: 'any',
          WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
        },
      }),
    });
    log(`stack: ready in ${((performance.now() - stackStarted) / 1000).toFixed(1)} s (${stack.infraSources.mongo})`);
    const client = await NatsClient.connect(stack.natsUrl, 'bench-producer');

    const ferret = stack.infraSources.mongo.includes('FerretDB');
    const total = TENANTS * PER_TENANT;
    const restCount = Math.min(
      total,
      Number(process.env.BENCH_REST_WEBHOOKS ?? (ferret ? FERRETDB_REST_WEBHOOKS : total)),
    );
    // FerretDB serialises writes and scans per request: one request at a time is its fastest.
    const concurrency = ferret ? 1 : REGISTRATION_CONCURRENCY;
    log(
      `stack: registering ${total} webhooks (${TENANTS} tenants × ${PER_TENANT}): ${restCount} through REST ` +
        `(${concurrency} in flight), ${total - restCount} published on WEBHOOKS ...`,
    );
    cpu.begin();
    const registered = await register(stack, client, receivers, restCount, concurrency);
    const registrationCpu = cpu.end().percent();
    const registrationLine =
      `${registered.rest} webhooks through REST in ${registered.restSeconds.toFixed(1)} s ` +
      `(${fmtRate(registered.rest / registered.restSeconds)}/s, ${concurrency} in flight; API keys for ${registered.keyTenants} tenants ${registered.keySeconds.toFixed(1)} s)` +
      (registered.published > 0
        ? `, ${registered.published} published on WEBHOOKS in ${registered.publishedSeconds.toFixed(1)} s`
        : '') +
      `; all ${registered.total} in the matcher's index ${registered.indexedSeconds.toFixed(1)} s after the first. CPU: ${registrationCpu}`;
    log(`  ${registrationLine}`);

    let changeNo = 0;
    const ingest = async (run: Tally, n: number, fanout: 1 | 10): Promise<void> => {
      const { t, k } = routeOf(n, fanout);
      const messageId = `${run.name}-${changeNo++}`;
      run.sent(messageId);
      const reply = await client.connection.request(
        `ingest.changes.${FIRST_SUBSCRIPTION + t}`,
        JSON.stringify({
          message_id: messageId,
          action: 'Created',
          object_type: 'Defect',
          object_id: `d-${n}`,
          after: { Name: `bench change ${n}`, Route: fanout === 10 ? 'all' : `k${k}` },
        }),
        { timeout: 30_000 },
      );
      const body = reply.json<{ accepted?: number; error?: string }>();
      if (body.accepted !== 1) throw new Error(`ingest refused a change: ${JSON.stringify(body)}`);
    };
    /** Deliveries change n makes at healthy receivers. */
    const healthyDeliveries = (n: number, fanout: 1 | 10): number => {
      const { t, k } = routeOf(n, fanout);
      const ks = fanout === 10 ? [...Array(PER_TENANT).keys()] : [k];
      return ks.filter((k) => !bad.has(receiverOf(t, k))).length;
    };

    const rows: (RunRow & { rawMax: number })[] = [];
    /**
     * One run, compared with `rawMax`. Runs start and end with the stack idle, except the bad-receiver
     * runs, which end with the bad receivers' jobs parked: recoverParked waits for those instead.
     * A paced run first sends RUN_WARMUP_SECONDS of the same changes at the same rate, not counted;
     * `onCounted` runs between the two.
     */
    const run = async (
      name: string,
      fanout: 1 | 10,
      rawMax: number,
      drive: (t: Tally) => Promise<number>,
      {
        settleBefore = true,
        settleAfter = true,
        pacedAt = 0,
        onCounted = async () => {},
      }: { settleBefore?: boolean; settleAfter?: boolean; pacedAt?: number; onCounted?: () => Promise<void> } = {},
    ): Promise<Tally> => {
      const settled = settleBefore ? await settle(client) : { settled: true };
      if (pacedAt > 0) {
        const warm = new Tally(`${name} warm-up`, Number.POSITIVE_INFINITY);
        await paced(pacedAt / fanout, RUN_WARMUP_SECONDS, (n) => ingest(warm, n, fanout));
      }
      await onCounted();
      const phaseStarted = performance.now();
      if (!settled.settled)
        notes.push(`before ${name}: the stack had not settled within ${SETTLE_TIMEOUT_MS / 1000} s`);
      const current = new Tally(name, Number.POSITIVE_INFINITY);
      tally = current;
      cpu.begin();
      // BENCH_TRACE=1: where the work waits, every second (CHANGES for the matcher, DELIVERIES for the dispatcher).
      const trace = process.env.BENCH_TRACE ? setInterval(() => void traceQueues(client, current), 1_000) : undefined;
      const consumers = stack!.serviceNames().map((service) => stack!.url(service));
      const waitsBefore = process.env.BENCH_TRACE ? await waitBuckets(consumers) : undefined;
      const changes = await drive(current).finally(() => undefined);
      let expected = 0;
      for (let n = 0; n < changes; n++) expected += healthyDeliveries(n, fanout);
      current.expected = expected;
      const complete = await current.complete(DRAIN_TIMEOUT_MS);
      clearInterval(trace);
      if (process.env.BENCH_TRACE) {
        log(`    p50/p99 ms by the second they were sent: ${current.bySecond()}`);
        log(`    waits from stored to handled: ${describeBuckets(waitsBefore!, await waitBuckets(consumers))}`);
      }
      rows.push({ run: name, tally: current, cpu: cpu.end(), complete, rawMax });
      tally = undefined;
      log(
        `  ${fmtRate(current.deliveriesPerSecond)} deliveries/s, p50 ${current.p(0.5).toFixed(1)} ms, p99 ${current.p(0.99).toFixed(1)} ms, ` +
          `max ${current.p(1).toFixed(1)} ms, ${current.seen.size}/${current.expected} delivered in ${((performance.now() - phaseStarted) / 1000).toFixed(1)} s; ` +
          `CPU ${rows.at(-1)!.cpu.percent()}; CPU ms per delivery ${rows.at(-1)!.cpu.perDelivery(current.seen.size)}`,
      );
      if (!settleAfter) return current;
      const after = await settle(client);
      notes.push(
        `${name}: ${changes} changes; the registry ${after.outcomesBehind} outcome messages behind once the deliveries were done; ` +
          `all idle ${after.settled ? `${after.seconds.toFixed(1)} s` : `not within ${SETTLE_TIMEOUT_MS / 1000} s`} after the last receipt`,
      );
      return current;
    };

    if (withoutRegistry) {
      log('stack: stopping the registry (BENCH_WITHOUT_REGISTRY): outcomes are not recorded');
      await stack.stopService('registry');
    }
    const selected = new Set((process.env.BENCH_RUNS ?? 'max1,paced1,max10,paced10,bad').split(','));
    const quarterOf = (rawMax: number) => Math.round((rawMax * TARGET_THROUGHPUT_RATIO) / 2);
    const firstRawMax = await rawMaxNow(1);

    // Every webhook delivered to twice (a fan-out-10 change per tenant, twice over) at the paced rate,
    // so the runs measure the steady state: JIT-compiled code, open connections, caches, and heaps
    // sized for that rate (after a warm-up at half the rate, the first seconds of the next run had
    // a p99 of 500-1,600 ms).
    const warmRate = quarterOf(firstRawMax) / PER_TENANT;
    const warmChanges = 2 * TENANTS;
    log(`warm-up: every webhook twice, ${warmChanges} changes at ${quarterOf(firstRawMax)} deliveries/s ...`);
    {
      const warm = new Tally('warm-up', Number.POSITIVE_INFINITY);
      tally = warm;
      await paced(warmRate, warmChanges / warmRate, (i) => ingest(warm, i, 10));
      await sleep(2_000);
      tally = undefined;
    }

    // BENCH_RUNS=max1,paced10,... runs only those (for profiling); the targets need all five.
    // Each max run follows a raw max of its own round and is compared with it.
    const rawMaxes: number[] = [];
    /** Each max run's deliveries/s over the raw max of its round. */
    const maxRatios: Record<1 | 10, number[]> = { 1: [], 10: [] };
    const anyMax = selected.has('max1') || selected.has('max10');
    for (let round = 1; round <= (anyMax ? ROUNDS : 1); round++) {
      const rawMax = round === 1 ? firstRawMax : await rawMaxNow(round);
      rawMaxes.push(rawMax);
      for (const fanout of [1, 10] as const) {
        if (!selected.has(`max${fanout}`)) continue;
        const maxChanges = MAX_RUN_DELIVERIES / fanout;
        log(`fan-out ${fanout}: max (${maxChanges} changes, ${PRODUCERS} producers in flight; round ${round}) ...`);
        const result = await run(`fan-out ${fanout}, max (round ${round})`, fanout, rawMax, (t) =>
          closedLoop(maxChanges, PRODUCERS, MAX_RUN_SEND_LIMIT_MS, (n) => ingest(t, n, fanout)),
        );
        maxRatios[fanout].push(result.deliveriesPerSecond / rawMax);
      }
    }
    const rawMax = median(rawMaxes);
    // "p99 under 100 ms at half that load": half the throughput target, i.e. a quarter of the raw max.
    const offered = quarterOf(rawMax);
    /** A paced run's load: `offered` deliveries/s for PACED_SECONDS. */
    const pacedAtOffered = (fanout: 1 | 10) => (t: Tally) =>
      paced(offered / fanout, PACED_SECONDS, (n) => ingest(t, n, fanout));
    const rawHalfRate = Math.round(rawMax / 2);
    let rawHalf: RunRow | undefined;
    if (rawPipeline) {
      log(`raw: JetStream + undici pipeline at ${rawHalfRate}/s (half its median max) ...`);
      rawHalf = await rawPipeline.paced(`raw JetStream + undici, ${rawHalfRate}/s`, rawHalfRate);
      rawRows.push(rawHalf);
    }
    const pacedRuns: Record<1 | 10, Tally[]> = { 1: [], 10: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const fanout of [1, 10] as const) {
        if (!selected.has(`paced${fanout}`)) continue;
        log(`fan-out ${fanout}: ${offered} deliveries/s for ${PACED_SECONDS} s (round ${round}) ...`);
        pacedRuns[fanout].push(
          await run(`fan-out ${fanout}, ${offered}/s (round ${round})`, fanout, rawMax, pacedAtOffered(fanout), {
            pacedAt: offered,
          }),
        );
      }
    }
    /** BENCH_TRACE: the dispatcher's attempt counters and the tail of each service's output. */
    const traceDump = async (): Promise<void> => {
      if (!process.env.BENCH_TRACE) return;
      const metrics = await (await fetch(`${stack!.url('dispatcher')}/metrics`)).text();
      log(
        metrics
          .split('\n')
          .filter((l) => l.startsWith('hookline_delivery_latency') || l.startsWith('hookline_delivery_attempts'))
          .join('\n'),
      );
      for (const name of stack!.serviceNames())
        log(`--- ${name} output ---\n${stack!.output(name).trim().split('\n').slice(-20).join('\n')}`);
    };
    // The issue's target is for dead receivers; the slow (hanging) series is measured the same
    // way and reported beside it.
    const badSeries = (process.env.BENCH_BAD ?? 'dead,hang').split(',').map((kinds): BadSeries => {
      const parts = kinds.split('+');
      if (parts.some((kind) => kind !== 'dead' && kind !== 'hang'))
        throw new Error(`BENCH_BAD must list dead, hang or hang+dead (got ${process.env.BENCH_BAD})`);
      const label = parts.length > 1 ? 'bad (one hangs, one dead)' : parts[0] === 'hang' ? 'hanging' : 'dead';
      return { kinds: parts as BadKind[], label, beside: [], degraded: [] };
    });
    if (selected.has('bad')) {
      for (const series of badSeries) {
        // Healthy and bad rounds alternate, so each bad round is compared with one run minutes
        // before it rather than with rounds from the start of the bench (single rounds drift more
        // than the 20% the target allows). Between pairs the bad receivers come back and their
        // parked jobs are delivered, so every round starts from an idle, healthy stack.
        for (let round = 1; round <= ROUNDS; round++) {
          log(
            `10% bad receivers (${series.label}), round ${round}: fan-out 10 at ${offered}/s healthy, then with them bad ...`,
          );
          series.beside.push(
            await run(
              `fan-out 10, ${offered}/s, before 10% ${series.label} (round ${round})`,
              10,
              rawMax,
              pacedAtOffered(10),
              { pacedAt: offered },
            ),
          );
          // The receivers turn bad as the counted part starts, after the warm-up: the counted
          // seconds include the outage's start, before the dispatcher's breakers open.
          const turnBad = async (): Promise<void> => {
            for (const [i, index] of BAD_RECEIVERS.entries()) {
              if (series.kinds[i % series.kinds.length] === 'hang') receivers[index].behave('/hook', 'hang');
              else await receivers[index].stop();
              bad.add(index);
            }
          };
          const degraded = await run(
            `fan-out 10, ${offered}/s, 10% ${series.label} (round ${round})`,
            10,
            rawMax,
            pacedAtOffered(10),
            { settleAfter: false, pacedAt: offered, onCounted: turnBad },
          );
          series.degraded.push(degraded);
          // Every change fans out to ten webhooks; those not expected at healthy receivers went to the bad ones.
          const parkedExpected = degraded.sentAt.size * PER_TENANT - degraded.expected;
          recovering = { run: degraded, delivered: new Set() };
          for (const index of BAD_RECEIVERS) {
            receivers[index].behave('/hook', undefined);
            if (!receivers[index].listening) await receivers[index].restart();
            bad.delete(index);
          }
          const recovered = await recoverParked(client);
          const parkedDelivered = recovering.delivered.size;
          recovering = undefined;
          const recovery =
            `10% ${series.label} (round ${round}): ${parkedDelivered}/${parkedExpected} of its deliveries to the bad receivers ` +
            (recovered.settled
              ? `delivered, the last ${recovered.seconds.toFixed(0)} s after they came back`
              : `delivered within ${RECOVERY_TIMEOUT_MS / 1000} s after they came back`);
          log(`  ${recovery}`);
          notes.push(recovery);
        }
      }
    }
    await client.close();
    await traceDump();

    // ---- report ----
    const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
    const percent = (r: number) => (Number.isFinite(r) ? `${(r * 100).toFixed(0)}%` : '-');
    const rawHalfP99 = rawHalf?.tally.p(0.99) ?? Number.NaN;

    log('');
    log(`Registration: ${registrationLine}`);
    log('');
    if (undici) {
      log(
        'Raw limit (child process: undici keep-alive pools, 256 in flight, 32 sockets per receiver; 20 receivers in the bench process)',
      );
      const undiciLat = undici.result.latencies ?? [];
      log(
        table([
          {
            run: 'raw undici alone',
            'deliveries/s': fmtRate(undici.rate),
            'p50 ms': ms(quantile(undiciLat, 0.5)),
            'p99 ms': ms(quantile(undiciLat, 0.99)),
            'max ms': ms(quantile(undiciLat, 1)),
            delivered: `${undici.result.sent - undici.result.failed}/${undici.result.sent}`,
            'CPU ms per delivery': '-',
          },
          ...rawRows.map((r) => ({
            run: r.run,
            'deliveries/s': fmtRate(r.tally.deliveriesPerSecond),
            'p50 ms': ms(r.tally.p(0.5)),
            'p99 ms': ms(r.tally.p(0.99)),
            'max ms': ms(r.tally.p(1)),
            delivered: `${r.tally.seen.size}/${r.tally.expected}`,
            'CPU ms per delivery': r.cpu.perDelivery(r.tally.seen.size),
          })),
        ]),
      );
    }
    log('');
    log(
      `End to end (NATS ingest → change-ingest → CHANGES → matcher → DELIVERIES → dispatcher → receiver; ` +
        `${registered.total} webhooks; latency from the ingest request to the receiver's last body byte; ` +
        `a max run against the raw max of its round, the others against the median raw max, ${fmtRate(rawMax)}/s)`,
    );
    log(
      table(
        rows.map((r) => ({
          run: r.run,
          'deliveries/s': fmtRate(r.tally.deliveriesPerSecond),
          'vs raw max': percent(r.tally.deliveriesPerSecond / r.rawMax),
          'p50 ms': ms(r.tally.p(0.5)),
          'p99 ms': ms(r.tally.p(0.99)),
          'vs raw p99':
            r.run.includes('max') || !Number.isFinite(rawHalfP99)
              ? '-'
              : `${(r.tally.p(0.99) / rawHalfP99).toFixed(1)}×`,
          'max ms': ms(r.tally.p(1)),
          delivered: `${r.tally.seen.size}/${r.tally.expected}${r.tally.duplicates ? ` (+${r.tally.duplicates} dup)` : ''}`,
          'CPU ms per delivery': r.cpu.perDelivery(r.tally.seen.size),
        })),
      ),
    );
    log('');
    const pacedComplete = rows.filter((r) => !r.run.includes('max')).every((r) => r.complete);
    if (
      maxRatios[1].length === 0 ||
      maxRatios[10].length === 0 ||
      pacedRuns[1].length === 0 ||
      pacedRuns[10].length === 0
    ) {
      log('Targets not judged: BENCH_RUNS left out some of the runs they need.');
      return;
    }
    // Each target on the median of its rounds, so that one slow minute of the machine neither
    // passes nor fails it; every round is in the table above.
    const rounds = (values: number[], show: (n: number) => string) => values.map(show).join(', ');
    const p99s = (tallies: Tally[]) => tallies.map((t) => t.p(0.99));
    const throughput = (fanout: 1 | 10) => median(maxRatios[fanout]);
    const pacedP99 = (fanout: 1 | 10) => median(p99s(pacedRuns[fanout]));
    log(
      table([
        // Judged for each fan-out: a fan-out-10 change costs its matching and two hops once for ten
        // deliveries, so fan-out 10 alone would flatter the platform.
        ...([1, 10] as const).map((fanout) => ({
          target: `fan-out ${fanout} end to end ≥ ${TARGET_THROUGHPUT_RATIO * 100}% of the raw JetStream + undici max (of the same round)`,
          measured:
            `median ${percent(throughput(fanout))} (${rounds(maxRatios[fanout], percent)}); ` +
            `raw max ${rounds(rawMaxes, fmtRate)}/s`,
          met: throughput(fanout) >= TARGET_THROUGHPUT_RATIO ? 'yes' : 'no',
        })),
        {
          target: `p99 < ${TARGET_P99_MS} ms at ${offered}/s (half of the 50% target)`,
          measured:
            `median fan-out 1 ${ms(pacedP99(1))} ms (${rounds(p99s(pacedRuns[1]), ms)}), ` +
            `fan-out 10 ${ms(pacedP99(10))} ms (${rounds(
              p99s(pacedRuns[10]),
              ms,
            )})${pacedComplete ? '' : ' (not all delivered)'}`,
          met: Math.max(pacedP99(1), pacedP99(10)) < TARGET_P99_MS && pacedComplete ? 'yes' : 'no',
        },
        ...badSeries.map((series) => {
          const [degraded, beside] = [p99s(series.degraded), p99s(series.beside)];
          const ratio = median(degraded) / median(beside);
          const judged = series.kinds.length === 1 && series.kinds[0] === 'dead';
          return {
            target:
              `healthy receivers' p99 within ${Math.round((TARGET_HEALTHY_P99_RATIO - 1) * 100)}% with 10% ${series.label}` +
              (judged ? '' : ' (measured, not a target)'),
            measured:
              `median ${ms(median(degraded))} ms (${rounds(degraded, ms)}) ` +
              `vs ${ms(median(beside))} ms (${rounds(beside, ms)}) in the healthy round before each (${percent(ratio)})`,
            met: ratio <= TARGET_HEALTHY_P99_RATIO ? 'yes' : 'no',
          };
        }),
      ]),
    );
    log('');
    log(
      `Notes: payloads average ${fmtRate(rows[0].tally.bytes / rows[0].tally.seen.size)} bytes end to end, ${rawRows[0] ? fmtRate(rawRows[0].tally.bytes / rawRows[0].tally.seen.size) : '-'} raw.`,
    );
    log(
      `       requests that reached the bad receivers in the 10% runs (hanging ones get them): ${badSeries.map((series) => `${series.degraded.reduce((n, t) => n + t.toBad, 0)} (${series.label})`).join(', ')}`,
    );
    for (const note of notes) log(`       ${note}`);
  } catch (err) {
    logServiceOutput(stack);
    throw err;
  } finally {
    await rawPipeline?.stop();
    await stack?.stop();
    await Promise.all(receivers.map((r) => r.stop().catch(() => undefined)));
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
