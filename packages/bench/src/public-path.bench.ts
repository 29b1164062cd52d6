/**
 * Issue 27's benchmark: the path users call. The whole stack as real processes behind the front
 * door (Caddy): the six services, nats-server and the MongoDB-wire server; 20 receivers in this
 * process; 2 tenants × 10 webhooks (one per receiver) created through the public API with the
 * generated client (@hookline/client), so every one keeps its stats as any user's webhook does.
 *
 * Changes go to `POST /api/v2/changes` through the front door from a load generator in a child
 * process of its own (http-load.ts: an undici keep-alive pool), so its CPU is not the stack's:
 * - max: one change per request, 64 requests in flight, at fan-out 1 and 10; then batches
 *   (a JSON array of BENCH_BATCH changes, the batch form the endpoint takes) at both fan-outs;
 * - paced: one change per request at 200 and 1,000 deliveries/s, fan-out 1 and 10, each run
 *   preceded by 5 s of the same load, not counted; latency from the request being sent to the
 *   receiver having the delivery's last body byte; each leaves a note of its latency by hop
 *   (through the front door, change-ingest's answer, each JetStream consumer's wait, the receivers'
 *   answer) from the services' histograms, to find where its slowest deliveries waited;
 * - idle: the stack's CPU while nothing is sent, once the previous run is settled.
 * CPU per delivery comes from /proc for each process of the stack (every service, nats-server,
 * the MongoDB-wire server, Caddy) from the first request until the registry has recorded every
 * outcome. Every run is made BENCH_ROUNDS (3) times; each target is judged on the median.
 *
 * Knobs (public-path-config.ts, checked at start): BENCH_ROUNDS (3), BENCH_PACED_SECONDS (30), BENCH_IDLE_SECONDS (60),
 * BENCH_MAX_DELIVERIES (10,000 per max run), BENCH_BATCH (100 changes per request in the batched
 * runs), BENCH_RUNS=max,batch,paced,idle (all by default), BENCH_PROFILE as in end-to-end.bench.ts. Quick check:
 * `BENCH_ROUNDS=1 BENCH_PACED_SECONDS=5 BENCH_IDLE_SECONDS=10 BENCH_MAX_DELIVERIES=3000`.
 * Writes docs/benchmarks/<date>-public-path.md.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createHooklineClient } from '@hookline/client';
import { NatsClient } from '@hookline/messaging';
import { ProcessStack, Receiver } from '@hookline/testing';
import { ConfigError } from './bench-env';
import { runChildScript } from './child-script';
import { CpuMeter, type CpuUse } from './cpu-meter';
import { describeBuckets, histogramBuckets, waitBuckets, type Buckets } from './histograms';
import type { HttpLoadConfig, HttpLoadResult } from './http-load-config';
import { readPublicPathConfig, type PublicPathConfig } from './public-path-config';
import { settle as settleQueues } from './queues';
import { commandLine, loadLine, writeResultFile } from './result-file';
import { logServiceOutput, readProfiling, stopStackOnSignal, withProfiles } from './stack-lifecycle';
import { fmtRate, log, median, ms, quantile, table } from './stats';
import { now, sleep, Tally } from './tally';

const RECEIVERS = 20;
const TENANTS = 2;
const PER_TENANT = 10;
const FIRST_SUBSCRIPTION = 2_001;
/** Deliveries per second of the paced runs. */
const RATES = [200, 1_000] as const;
/** Requests in flight at max: one change each, or a batch each. */
const IN_FLIGHT = 64;
const BATCH_IN_FLIGHT = 8;
const MAX_SEND_LIMIT_MS = 60_000;
/** Sent before each paced run and not counted: the first second after a settle is not the steady state. */
const WARMUP_SECONDS = 5;
/** After a run settles and before idle is measured: the last outcome batch's writes finish. */
const IDLE_PAUSE_MS = 5_000;
/** After the last request is answered: a paced run beyond the stack's limit drains its backlog. */
const DRAIN_TIMEOUT_MS = 120_000;
const SETTLE_TIMEOUT_MS = 60_000;

const TARGET_CPU_MS = 0.6;
const TARGET_P99_MS = 50;
const TARGET_P99_RATE = 1_000;
const TARGET_MAX_PER_SECOND = 2_500;
const TARGET_IDLE_PERCENT = 3;

type Fanout = 1 | 10;
interface RunSpec {
  kind: 'max' | 'batch' | 'paced';
  fanout: Fanout;
  /** Deliveries per second, for a paced run. */
  rate?: number;
}
interface RunRow extends RunSpec {
  name: string;
  round: number;
  tally: Tally;
  cpu: CpuUse;
  load: HttpLoadResult;
  complete: boolean;
  outcomesBehind: number;
  /** The machine's 1-minute load average when the run ended: above 2 (cores), other work competed. */
  machineLoad: number;
}
interface IdleRow {
  round: number;
  cpu: CpuUse;
  machineLoad: number;
}

/** Latency histograms of the hops a change takes: answered by change-ingest, queued in JetStream, sent to the receiver. */
interface Hops {
  answered: Buckets;
  queued: Buckets;
  sent: Buckets;
}

/** A paced run's slowest deliveries beside each hop's latency over the run, to find the hop that held them. */
function describeHops(name: string, tally: Tally, load: HttpLoadResult, before: Hops, after: Hops): string {
  return (
    `${name}: delivered p99 ${ms(tally.p(0.99))} ms, max ${ms(tally.p(1))} ms; ` +
    `request through the front door p99 ${ms(quantile(load.latencies, 0.99))} ms, max ${ms(quantile(load.latencies, 1))} ms; ` +
    `${describeBuckets(before.answered, after.answered)}; queued (stored to handled): ${describeBuckets(before.queued, after.queued)}; ` +
    `${describeBuckets(before.sent, after.sent)}`
  );
}

const cpu = new CpuMeter('bench (receivers)');
let tally: Tally | undefined;
/** Message ids of the current run start with it (`r<run>-`); deliveries of others are not counted. */
let prefix = '';

/** Counts each delivery of the current run: its latency from the send time in its message id. */
function listen(receiver: Receiver): void {
  receiver.record = false;
  receiver.onRequest = (request) => {
    const at = now();
    const current = tally;
    if (!current) return;
    const match = /"message_id":"([^"@]+)@([\d.]+)"/.exec(request.body);
    if (!match || !match[1].startsWith(prefix)) return;
    const deliveryId = request.headers['webhook-id'];
    const key = typeof deliveryId === 'string' ? deliveryId : match[1];
    current.received(key, match[1], at, request.body.length, Number(match[2]));
  };
}

/** Runs http-load.ts with the config in a child process of its own. */
const httpLoad = (config: HttpLoadConfig): Promise<HttpLoadResult> =>
  runChildScript<HttpLoadResult>('http-load.js', config, 'the load generator', {
    onSpawn: (pid) => cpu.name(pid, 'bench load generator'),
  });

/** Tenant keys and webhooks through the front door with the generated client, as a user would. */
async function register(stack: ProcessStack, receivers: Receiver[]): Promise<{ keys: string[]; seconds: number }> {
  const started = performance.now();
  const operator = createHooklineClient({ baseUrl: stack.publicUrl, token: stack.adminKey });
  const keys: string[] = [];
  for (let t = 0; t < TENANTS; t++) {
    const subscription = FIRST_SUBSCRIPTION + t;
    const key = async (roles: ('admin' | 'integration')[]): Promise<string> => {
      const { data, error } = await operator.POST('/api/v2/apikey', {
        body: { Name: `bench ${roles.join('+')} ${subscription}`, Roles: roles, SubscriptionID: subscription },
      });
      if (!data) throw new Error(`API key creation failed: ${JSON.stringify(error)}`);
      return data.Key;
    };
    const tenant = createHooklineClient({ baseUrl: stack.publicUrl, token: await key(['admin']) });
    for (let k = 0; k < PER_TENANT; k++) {
      const { data, error } = await tenant.POST('/api/v2/webhook', {
        body: {
          AppName: 'bench',
          AppUrl: 'https://bench.example',
          Name: `bench ${t}/${k}`,
          TargetUrl: receivers[t * PER_TENANT + k].url('/hook'),
          ObjectTypes: ['Defect'],
          // k<k> fans a change out to webhook k alone, `all` to the tenant's ten.
          Expressions: [{ AttributeName: 'Route', Operator: '~', Value: [`k${k}`, 'all'] }],
        },
      });
      if (!data) throw new Error(`webhook creation failed: ${JSON.stringify(error)}`);
    }
    // Producers send changes with a key that may do no more.
    keys.push(await key(['integration']));
  }
  for (;;) {
    const { data } = await operator.GET('/api/v2/index');
    if (data?.total === TENANTS * PER_TENANT) break;
    if (performance.now() - started > 120_000)
      throw new Error(`the matcher indexed ${data?.total ?? 0} of ${TENANTS * PER_TENANT} webhooks`);
    await sleep(100);
  }
  return { keys, seconds: (performance.now() - started) / 1000 };
}

const cpuMs = (cpuSeconds: number, deliveries: number) => (cpuSeconds * 1000) / deliveries;
const runLabel = (spec: RunSpec, knobs: PublicPathConfig) =>
  spec.kind === 'paced'
    ? `fan-out ${spec.fanout}, ${spec.rate}/s, 1 change per request`
    : `fan-out ${spec.fanout}, max, ${spec.kind === 'batch' ? `${knobs.batch} changes per request` : '1 change per request'}`;

/** Every run: throughput, latency, the machine's load, CPU per delivery in all and by process. */
function runTable(rows: RunRow[]): string {
  const processes = [...new Set(rows.flatMap((r) => r.cpu.stack().map(([name]) => name)))];
  return table(
    rows.map((r) => ({
      run: r.name,
      'deliveries/s': fmtRate(r.tally.deliveriesPerSecond),
      'p50 ms': ms(r.tally.p(0.5)),
      'p99 ms': ms(r.tally.p(0.99)),
      'max ms': ms(r.tally.p(1)),
      delivered: `${r.tally.seen.size}/${r.tally.expected}${r.tally.duplicates ? ` (+${r.tally.duplicates} dup)` : ''}`,
      'load avg': r.machineLoad.toFixed(1),
      'CPU ms per delivery': cpuMs(r.cpu.stackTotal(), r.tally.seen.size).toFixed(2),
      ...Object.fromEntries(
        processes.map((p) => [p, cpuMs(r.cpu.used.get(p) ?? 0, r.tally.seen.size).toFixed(2)] as const),
      ),
    })),
  );
}

/** The idle stack's CPU in % of one core, in all and by process. */
function idleTable(idles: IdleRow[], knobs: PublicPathConfig): string {
  const idleProcesses = [...new Set(idles.flatMap((i) => i.cpu.stack().map(([name]) => name)))];
  const idlePercent = (use: CpuUse, cpuSeconds: number) => ((cpuSeconds / use.seconds) * 100).toFixed(1);
  if (idles.length === 0) return '';
  return table(
    idles.map((i) => ({
      idle: `${knobs.idleSeconds} s (round ${i.round})`,
      'load avg': i.machineLoad.toFixed(1),
      'total, % of one core': idlePercent(i.cpu, i.cpu.stackTotal()),
      ...Object.fromEntries(idleProcesses.map((p) => [p, idlePercent(i.cpu, i.cpu.used.get(p) ?? 0)] as const)),
    })),
  );
}

/** Each target of issue 27 on the median of its rounds: MET or NOT MET, with the gap. */
function targetTable(rows: RunRow[], idles: IdleRow[], knobs: PublicPathConfig): string {
  const of = (kind: RunSpec['kind'], fanout: Fanout, rate?: number) =>
    rows.filter((r) => r.kind === kind && r.fanout === fanout && r.rate === rate);
  const judged: {
    target: string;
    values: number[];
    show: (n: number) => string;
    met: (n: number) => boolean;
    gap: (n: number) => string;
  }[] = [];
  const cpuRuns = of('max', 1);
  if (cpuRuns.length > 0)
    judged.push({
      target: `≤ ${TARGET_CPU_MS} ms CPU per delivery over the stack's processes (HTTP, 1 change per request, fan-out 1, max)`,
      values: cpuRuns.map((r) => cpuMs(r.cpu.stackTotal(), r.tally.seen.size)),
      show: (n) => `${n.toFixed(2)} ms`,
      met: (n) => n <= TARGET_CPU_MS,
      gap: (n) => `${(n - TARGET_CPU_MS).toFixed(2)} ms over (${(n / TARGET_CPU_MS).toFixed(1)}×)`,
    });
  for (const fanout of [1, 10] as const) {
    const paced = of('paced', fanout, TARGET_P99_RATE);
    if (paced.length > 0)
      judged.push({
        target: `p99 < ${TARGET_P99_MS} ms at ${fmtRate(TARGET_P99_RATE)} deliveries/s (fan-out ${fanout}, 1 change per request)`,
        values: paced.map((r) => (r.complete ? r.tally.p(0.99) : Number.POSITIVE_INFINITY)),
        show: (n) => (Number.isFinite(n) ? `${ms(n)} ms` : 'not all delivered'),
        met: (n) => n < TARGET_P99_MS,
        gap: (n) => `${ms(n - TARGET_P99_MS)} ms over (${(n / TARGET_P99_MS).toFixed(1)}×)`,
      });
    const max = of('max', fanout);
    if (max.length > 0)
      judged.push({
        target: `≥ ${fmtRate(TARGET_MAX_PER_SECOND)} deliveries/s at max (fan-out ${fanout}, 1 change per request)`,
        values: max.map((r) => r.tally.deliveriesPerSecond),
        show: (n) => `${fmtRate(n)}/s`,
        met: (n) => n >= TARGET_MAX_PER_SECOND,
        gap: (n) => `${fmtRate(TARGET_MAX_PER_SECOND - n)}/s short (${Math.round((n / TARGET_MAX_PER_SECOND) * 100)}%)`,
      });
  }
  if (idles.length > 0)
    judged.push({
      target: `idle stack < ${TARGET_IDLE_PERCENT}% of one core in total (${knobs.idleSeconds} s)`,
      values: idles.map((i) => (i.cpu.stackTotal() / i.cpu.seconds) * 100),
      show: (n) => `${n.toFixed(1)}%`,
      met: (n) => n < TARGET_IDLE_PERCENT,
      gap: (n) => `${(n - TARGET_IDLE_PERCENT).toFixed(1)} points over (${(n / TARGET_IDLE_PERCENT).toFixed(1)}×)`,
    });
  return table(
    judged.map((j) => {
      const m = median(j.values);
      return {
        target: j.target,
        measured: `median ${j.show(m)} (${j.values.map(j.show).join(', ')})`,
        verdict: j.met(m) ? 'MET' : 'NOT MET',
        gap: j.met(m) ? '-' : j.gap(m),
      };
    }),
  );
}

async function main(): Promise<void> {
  const knobs = readPublicPathConfig();
  const startedAt = new Date();
  const loadBefore = loadLine();
  const receivers = await Promise.all(Array.from({ length: RECEIVERS }, () => Receiver.start()));
  receivers.forEach(listen);
  let stack: ProcessStack | undefined;
  stopStackOnSignal(() => stack);
  try {
    log('stack: starting the six services, nats-server, the MongoDB-wire server and the front door ...');
    stack = await ProcessStack.start({
      frontDoor: true,
      env: { LOG_LEVEL: 'error' },
      serviceEnv: withProfiles(
        {
          dispatcher: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_HTTP_PORTS: 'any', WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8' },
        },
        readProfiling(),
      ),
    });
    const database = stack.infraSources.mongo.replace(/ \(pid \d+\)/, '');
    log(`stack: ready (${database}); front door ${stack.publicUrl}`);
    // Only to see when the stack is idle (queues, outcomes): the load itself goes through HTTP.
    const client = await NatsClient.connect(stack.natsUrl, 'bench-observer');
    const settle = () => settleQueues(client, { timeoutMs: SETTLE_TIMEOUT_MS });

    const registration = await register(stack, receivers);
    log(
      `registration: ${TENANTS} tenants × ${PER_TENANT} webhooks through the front door in ${registration.seconds.toFixed(1)} s`,
    );
    const loadConfig = (spec: RunSpec, runPrefix: string, seconds: number): HttpLoadConfig => {
      const batch = spec.kind === 'batch' ? knobs.batch : 1;
      return {
        url: stack!.publicUrl,
        keys: registration.keys,
        webhooksPerTenant: PER_TENANT,
        fanout: spec.fanout,
        batch,
        mode: spec.kind === 'paced' ? 'paced' : 'max',
        requests: Math.ceil(knobs.maxDeliveries / spec.fanout / batch),
        perSecond: (spec.rate ?? 0) / spec.fanout,
        seconds,
        inFlight: batch === 1 ? IN_FLIGHT : BATCH_IN_FLIGHT,
        connections: batch === 1 ? IN_FLIGHT : BATCH_IN_FLIGHT,
        limitMs: MAX_SEND_LIMIT_MS,
        prefix: runPrefix,
      };
    };

    // Each hop's own latency histogram, to tell where a paced run's slowest deliveries waited.
    const hops = async (): Promise<Hops> => {
      const url = (service: string) => stack!.url(service);
      const [answered, queued, sent] = await Promise.all([
        histogramBuckets([url('change-ingest')], 'hookline_http_request_duration_seconds', (labels) =>
          labels.method === 'POST' ? `change-ingest answered ${labels.route}` : undefined,
        ),
        waitBuckets(stack!.serviceNames().map(url)),
        histogramBuckets(
          [url('dispatcher')],
          'hookline_delivery_latency_seconds',
          (labels) => `receiver ${labels.kind}`,
        ),
      ]);
      return { answered, queued, sent };
    };
    let runNo = 0;
    const notes: string[] = [];
    const run = async (spec: RunSpec, round: number): Promise<RunRow> => {
      const name = `${runLabel(spec, knobs)} (round ${round})`;
      log(`${name} ...`);
      const before = await settle();
      if (!before.settled) notes.push(`before ${name}: the stack had not settled within ${SETTLE_TIMEOUT_MS / 1000} s`);
      if (spec.kind === 'paced') await httpLoad(loadConfig(spec, `w${++runNo}-`, WARMUP_SECONDS));
      prefix = `r${++runNo}-`;
      const current = new Tally(name, Number.POSITIVE_INFINITY);
      tally = current;
      const hopsBefore = spec.kind === 'paced' ? await hops() : undefined;
      cpu.begin();
      const load = await httpLoad(loadConfig(spec, prefix, knobs.pacedSeconds));
      current.expected = load.accepted * spec.fanout;
      const complete = await current.complete(DRAIN_TIMEOUT_MS);
      const after = await settle();
      const use = cpu.end();
      tally = undefined;
      if (load.failed > 0) notes.push(`${name}: ${load.failed} requests failed, the first: ${load.firstError}`);
      if (hopsBefore) notes.push(describeHops(name, current, load, hopsBefore, await hops()));
      if (!after.settled) notes.push(`${name}: the stack had not settled ${SETTLE_TIMEOUT_MS / 1000} s after it`);
      log(
        `  ${fmtRate(current.deliveriesPerSecond)} deliveries/s, p50 ${ms(current.p(0.5))} ms, p99 ${ms(current.p(0.99))} ms, ` +
          `${current.seen.size}/${current.expected} delivered, ${load.failed} requests failed; ` +
          `request p50 ${ms(quantile(load.latencies, 0.5))} ms; CPU ${use.percent()}; ` +
          `CPU ms per delivery ${use.perDelivery(current.seen.size)}`,
      );
      return {
        ...spec,
        name,
        round,
        tally: current,
        cpu: use,
        load,
        complete,
        outcomesBehind: after.outcomesBehind,
        machineLoad: loadavg()[0],
      };
    };

    // Every webhook delivered to a few times first: JIT-compiled code, open connections, caches.
    log('warm-up: 10 s at 500 deliveries/s, fan-out 10 ...');
    await httpLoad(loadConfig({ kind: 'paced', fanout: 10, rate: 500 }, 'warm-', 10));

    const rows: RunRow[] = [];
    const idles: IdleRow[] = [];
    for (let round = 1; round <= knobs.rounds; round++) {
      const specs: RunSpec[] = [
        ...(knobs.runs.has('max') ? ([1, 10] as const).map((fanout): RunSpec => ({ kind: 'max', fanout })) : []),
        ...(knobs.runs.has('batch') ? ([1, 10] as const).map((fanout): RunSpec => ({ kind: 'batch', fanout })) : []),
        ...(knobs.runs.has('paced')
          ? RATES.flatMap((rate) => ([1, 10] as const).map((fanout): RunSpec => ({ kind: 'paced', fanout, rate })))
          : []),
      ];
      for (const spec of specs) rows.push(await run(spec, round));
      if (knobs.runs.has('idle')) {
        await settle();
        await sleep(IDLE_PAUSE_MS);
        log(`idle: ${knobs.idleSeconds} s with nothing sent (round ${round}) ...`);
        cpu.begin();
        await sleep(knobs.idleSeconds * 1000);
        const use = cpu.end();
        idles.push({ round, cpu: use, machineLoad: loadavg()[0] });
        log(`  ${((use.stackTotal() / use.seconds) * 100).toFixed(1)}% of one core: ${use.percent()}`);
      }
    }
    await client.close();

    const runs = runTable(rows);
    const idle = idleTable(idles, knobs);
    const targets = targetTable(rows, idles, knobs);
    const payload = rows.find((r) => r.tally.seen.size > 0);
    notes.push(
      `deliveries average ${payload ? fmtRate(payload.tally.bytes / payload.tally.seen.size) : '-'} bytes; ` +
        `the registry was at most ${Math.max(0, ...rows.map((r) => r.outcomesBehind))} outcome messages behind when a run's deliveries were done`,
    );
    const method =
      `Through the front door (Caddy) to the six services, nats-server and ${database}; ` +
      `${TENANTS} tenants × ${PER_TENANT} webhooks created through the API (all keep stats), one per receiver (${RECEIVERS}); ` +
      `the load generator a child process of its own (undici keep-alive pool: ${IN_FLIGHT} requests in flight at max, ` +
      `${BATCH_IN_FLIGHT} for batches of ${knobs.batch}); max runs ${fmtRate(knobs.maxDeliveries)} deliveries each, paced runs ${knobs.pacedSeconds} s after ${WARMUP_SECONDS} s not counted; ` +
      `latency from the request being sent to the receiver's last body byte; CPU from /proc from the first request until every outcome was recorded, ` +
      `per process of the stack (the bench's receivers and load generator not counted); ${knobs.rounds} round(s), targets judged on the median. ` +
      "`load avg` is the machine's 1-minute load average as each run ended, the stack's own processes included: " +
      'where an idle row reads well above 0, other work shared the 2 cores.';

    log('');
    log(method);
    log('');
    log(runs);
    log('');
    if (idle) log(`${idle}\n`);
    log(targets);
    log('');
    for (const note of notes) log(`Note: ${note}`);

    const file = writeResultFile({
      slug: 'public-path',
      title: 'Public-path benchmark (issue 27)',
      startedAt,
      command: commandLine(__filename),
      loadBefore,
      body: [
        '## Method',
        '',
        method,
        '',
        '## Runs',
        '',
        'CPU ms per delivery: the total, then each process of the stack.',
        '',
        runs,
        '',
        ...(idle ? ['## Idle (% of one core)', '', idle, ''] : []),
        '## Targets',
        '',
        targets,
        '',
        '## Notes',
        '',
        ...notes.map((n) => `- ${n}`),
      ].join('\n'),
    });
    log(`\nresult file: ${file}`);
  } catch (err) {
    logServiceOutput(stack);
    throw err;
  } finally {
    await stack?.stop();
    await Promise.all(receivers.map((r) => r.stop().catch(() => undefined)));
  }
}

void main().catch((err: unknown) => {
  // A wrong knob says which and why, without a stack trace.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
