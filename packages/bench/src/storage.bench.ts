/**
 * Issue 29's storage benchmark: the embedded MongoDB-wire server's two backends, FerretDB 1.x on
 * SQLite and FerretDB 1.x on PostgreSQL, under the same registry doing the same work
 * (docs/benchmarks/2026-12-07-storage.md). For each backend, a fresh server and a registry
 * process (ProcessStack) on it:
 *
 * 0. The registry's query shapes straight on the server, with BENCH_RAW_WEBHOOKS (100,000)
 *    webhook-sized documents over 10 subscriptions: the event relay's scan, a list page and its
 *    count in one subscription, a read and an update by `_id`; BENCH_RAW_REPEAT (3) each.
 * 1. BENCH_WEBHOOKS (2,000) webhooks over BENCH_TENANTS (10) subscriptions, copies of one made
 *    through the REST API, inserted straight into its collection (REST would take an hour).
 * 2. The REST list endpoint of one subscription (a tenth of them) with paging, sorting, search
 *    and filters, and a read by id: BENCH_REPEAT (10) requests each, one at a time, after two unmeasured.
 * 3. The outcome path: BENCH_OUTCOMES (2,000) outcomes of 1,000 webhooks in batches of 500 on
 *    OUTCOME_BATCHES, as dispatchers send them (a tenth failed, with the body kept for replay):
 *    the time until the registry has acked them all, so stats and the delivery log are written.
 *
 * Phase 0 alone takes about ten minutes on a busy two-core machine, so `pnpm bench` does not run it:
 * `node packages/bench/dist/storage.bench.js` (BENCH_BACKENDS=sqlite,postgresql picks backends).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MongoClient, type Document } from 'mongodb';
import { SUBJECTS, type DeliveryOutcome } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import {
  ApiClient,
  mongoUrlFor,
  ProcessStack,
  startFerretDbOnPostgres,
  startMongo,
  type RunningServer,
} from '@hookline/testing';
import { benchOutcome } from './outcomes';
import { median, quantile, table } from './stats';

const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,postgresql').split(',');
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 2_000);
const RAW_WEBHOOKS = Number(process.env.BENCH_RAW_WEBHOOKS ?? 100_000);
const RAW_REPEAT = Number(process.env.BENCH_RAW_REPEAT ?? 3);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 10);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 10);
const OUTCOMES = Number(process.env.BENCH_OUTCOMES ?? 2_000);
const OUTCOME_WEBHOOKS = 1_000;
const BATCH = 500;
const INSERT_BATCH = 1_000;
const OUTCOME_LIMIT_MS = 10 * 60_000;
const OBJECT_TYPES = ['Defect', 'Story', 'Task', 'Feature'];

interface BackendResult {
  backend: string;
  seedSeconds: number;
  queries: { name: string; samples: number[]; total: number }[];
  outcomesPerSecond: number;
  outcomeSeconds: number;
  attemptsLogged: number;
  queryCpuSeconds: number;
  serverCpuSeconds: number;
}

async function startBackend(backend: string): Promise<RunningServer> {
  if (backend === 'sqlite') return startMongo({ private: true });
  if (backend === 'postgresql') return startFerretDbOnPostgres();
  throw new Error(`unknown backend ${backend}: sqlite or postgresql`);
}

/** User plus system CPU of a process and its children that have exited, in seconds (Linux). */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // exited: its CPU is in its parent's children counts
    }
  }
  return ticks / 100;
}

/** The server's processes: FerretDB, and PostgreSQL's postmaster with its backends. */
function serverPids(server: RunningServer): number[] {
  const pids = server.pid === undefined ? [] : [server.pid];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'postgres' || comm === 'postmaster') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return [...new Set(pids)];
}

async function seed(db: ReturnType<MongoClient['db']>, template: Document, subscriptionId: number): Promise<number> {
  const webhooks = db.collection('webhooks');
  const started = performance.now();
  for (let from = 0; from < WEBHOOKS; from += INSERT_BATCH) {
    const docs: Document[] = [];
    for (let i = from; i < Math.min(from + INSERT_BATCH, WEBHOOKS); i++) {
      const created = new Date(Date.UTC(2026, 0, 1) + i * 1000);
      docs.push({
        ...template,
        _id: randomUUID(),
        SubscriptionID: subscriptionId + (i % TENANTS),
        Name: `webhook ${String(i).padStart(6, '0')}`,
        AppName: `app ${i % 97}`,
        TargetUrl: `https://receiver-${i % 50}.example.com/hooks/${i}`,
        ObjectTypes: [OBJECT_TYPES[i % OBJECT_TYPES.length]],
        Disabled: i % 10 === 9,
        CreationDate: created,
        LastUpdateDate: created,
        // Announced long ago: the registry's event relay has nothing left to publish for them.
        PendingEvent: null,
      });
    }
    await webhooks.insertMany(docs, { ordered: false });
  }
  return (performance.now() - started) / 1000;
}

async function timeQueries(api: ApiClient, id: string): Promise<BackendResult['queries']> {
  const list = '/api/v2/webhook?pagesize=20';
  const queries = [
    { name: 'first page (20)', path: list },
    { name: 'page at start=5001', path: `${list}&start=5001` },
    { name: 'order=Name desc', path: `${list}&order=Name%20desc` },
    { name: 'order=LastUpdateDate desc, start=2001', path: `${list}&order=LastUpdateDate%20desc&start=2001` },
    { name: 'query=receiver-7 (search)', path: `${list}&query=receiver-7.` },
    { name: 'objectType=Defect&isEnabled=true', path: `${list}&objectType=Defect&isEnabled=true` },
    { name: 'GET one by id', path: `/api/v2/webhook/${id}` },
  ];
  const results: BackendResult['queries'] = [];
  for (const query of queries) {
    const samples: number[] = [];
    let total = 0;
    for (let i = 0; i < REPEAT + 2; i++) {
      const started = performance.now();
      const reply = await api.request('GET', query.path);
      const ms = performance.now() - started;
      if (reply.status !== 200) throw new Error(`${query.path}: ${reply.status} ${JSON.stringify(reply.body)}`);
      total = (reply.body as { TotalResultCount?: number }).TotalResultCount ?? 1;
      if (i >= 2) samples.push(ms);
    }
    results.push({ name: query.name, samples, total });
  }
  return results;
}

async function outcomePath(stack: ProcessStack, tenant: number, webhookIds: string[]): Promise<number> {
  const nats = await NatsClient.connect(stack.natsUrl, 'storage-bench');
  try {
    const started = performance.now();
    for (let from = 0; from < OUTCOMES; from += BATCH) {
      const outcomes: DeliveryOutcome[] = [];
      for (let i = from; i < Math.min(from + BATCH, OUTCOMES); i++)
        outcomes.push(
          benchOutcome(i, String(tenant), webhookIds, new Date(Date.UTC(2026, 11, 7) + i), {
            message: { object_id: `d-${i}` },
          }),
        );
      await nats.js.publish(SUBJECTS.outcomeBatch('storage-bench'), JSON.stringify({ outcomes }), {
        msgID: `storage-bench-${from}`,
      });
    }
    for (;;) {
      const info = await nats.jsm.consumers.info('OUTCOME_BATCHES', 'registry-outcome-batches');
      if (info.num_pending === 0 && info.num_ack_pending === 0) break;
      if (performance.now() - started > OUTCOME_LIMIT_MS) throw new Error('outcomes not done within 10 minutes');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return (performance.now() - started) / 1000;
  } finally {
    await nats.connection.close();
  }
}

/** Phase 0: the registry's queries, as its repositories send them, each timed RAW_REPEAT times (ms). */
async function rawQueries(backend: string): Promise<Record<string, number[]>> {
  const server = await startBackend(backend);
  const client = new MongoClient(mongoUrlFor(server.url, 'raw'), { socketTimeoutMS: 900_000 });
  try {
    const db = client.db();
    const webhooks = db.collection<Document & { _id: string }>('webhooks');
    // The index the registry declares for its list; the SQLite backend never reads it, so builds none.
    if (backend !== 'sqlite') await webhooks.createIndex({ SubscriptionID: 1, Name: 1 });
    for (let from = 0; from < RAW_WEBHOOKS; from += INSERT_BATCH) {
      const docs = [];
      for (let i = from; i < Math.min(from + INSERT_BATCH, RAW_WEBHOOKS); i++) {
        docs.push({
          _id: `w${String(i).padStart(7, '0')}`,
          SubscriptionID: 100 + (i % 10),
          Name: `webhook ${i}`,
          AppName: `app ${i % 97}`,
          TargetUrl: `https://receiver-${i % 50}.example.com/hooks/${i}`,
          Expressions: [{ AttributeName: 'Severity', Operator: '=', Value: 'High' }],
          ObjectTypes: [OBJECT_TYPES[i % OBJECT_TYPES.length]],
          Disabled: false,
          PendingEvent: null,
          LastUpdateDate: new Date(),
          DeletedAt: null,
          FireCount: 0,
          // About the size of a stored webhook (encrypted secrets, headers, retry policy).
          Rest: 'x'.repeat(1_200),
        });
      }
      await webhooks.insertMany(docs);
    }
    const live = { SubscriptionID: 100, DeletedAt: null };
    const shapes: Record<string, () => Promise<unknown>> = {
      'event relay scan (PendingEvent $ne null)': () =>
        webhooks
          .find({ PendingEvent: { $ne: null }, LastUpdateDate: { $lt: new Date() } })
          .limit(100)
          .toArray(),
      'list page: find, sort Name, limit 20': () => webhooks.find(live).sort({ Name: -1, _id: 1 }).limit(20).toArray(),
      'list total: countDocuments': () => webhooks.countDocuments(live),
      'read by _id': () => webhooks.findOne({ _id: 'w0050000' }),
      'stats update by _id': () => webhooks.updateOne({ _id: 'w0050001' }, { $inc: { FireCount: 1 } }),
    };
    const times: Record<string, number[]> = {};
    for (const [name, run] of Object.entries(shapes)) {
      times[name] = [];
      for (let i = 0; i < RAW_REPEAT; i++) {
        const started = performance.now();
        await run();
        times[name].push(performance.now() - started);
      }
    }
    return times;
  } finally {
    await client.close();
    await server.stop();
  }
}

async function runBackend(backend: string): Promise<BackendResult> {
  process.stdout.write(`\n--- ${backend} ---\n`);
  const server = await startBackend(backend);
  process.env.HOOKLINE_TEST_MONGO_URL = server.url;
  const stack = await ProcessStack.start({
    services: ['registry'],
    logDir: process.env.BENCH_LOG_DIR,
    // Slow answers are what is measured here: on a busy machine the 5 s default failed some.
    env: { MONGO_SOCKET_TIMEOUT_MS: '120000' },
  }).catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  const client = new MongoClient(stack.databaseUrl, { serverSelectionTimeoutMS: 10_000, socketTimeoutMS: 600_000 });
  try {
    const api = new ApiClient(stack.url('registry'), stack.adminKey);
    const created = await api.request('POST', '/api/v2/webhook', {
      AppName: 'bench',
      AppUrl: 'www.example.com',
      Name: 'template',
      TargetUrl: 'https://receiver.example.com/hook',
      ObjectTypes: ['Defect'],
      Expressions: [{ AttributeName: 'Severity', Operator: '=', Value: 'High' }],
    });
    if (created.status !== 200) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    const template = created.body as { ObjectUUID: string; SubscriptionID: number };
    const db = client.db();
    const stored = await db.collection('webhooks').findOne({ _id: template.ObjectUUID as unknown as Document['_id'] });
    if (!stored) throw new Error('the created webhook is not in the webhooks collection');
    const seedSeconds = await seed(db, stored, template.SubscriptionID);
    process.stdout.write(`seeded ${WEBHOOKS} webhooks in ${seedSeconds.toFixed(1)} s\n`);
    const queryCpuBefore = cpuSeconds(serverPids(server));
    const queries = await timeQueries(api, template.ObjectUUID);
    const queryCpuSeconds = cpuSeconds(serverPids(server)) - queryCpuBefore;
    // As it goes: a later phase that fails does not take these numbers with it.
    for (const q of queries)
      process.stdout.write(`${q.name}: p50 ${median(q.samples).toFixed(1)} ms, ${q.total} matches\n`);
    const ids = (
      await db
        .collection('webhooks')
        .find({ SubscriptionID: template.SubscriptionID }, { projection: { _id: 1 } })
        .limit(OUTCOME_WEBHOOKS)
        .toArray()
    ).map((d) => String(d._id));
    const pids = serverPids(server);
    const cpuBefore = cpuSeconds(pids);
    const outcomeSeconds = await outcomePath(stack, template.SubscriptionID, ids);
    const serverCpuSeconds = cpuSeconds(serverPids(server)) - cpuBefore;
    const attemptsLogged = await db.collection('delivery_attempts').countDocuments({});
    return {
      backend,
      seedSeconds,
      queries,
      outcomesPerSecond: OUTCOMES / outcomeSeconds,
      outcomeSeconds,
      attemptsLogged,
      queryCpuSeconds,
      serverCpuSeconds,
    };
  } finally {
    await client.close();
    await stack.stop();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const raw: Record<string, Record<string, number[]>> = {};
  if (RAW_WEBHOOKS > 0) {
    for (const backend of BACKENDS) raw[backend] = await rawQueries(backend);
    process.stdout.write(`\n${RAW_WEBHOOKS} webhook documents, straight on the server; ms, median of ${RAW_REPEAT}\n`);
    const shapes = Object.keys(raw[BACKENDS[0]!]!);
    process.stdout.write(
      `${table(
        shapes.map((shape) => ({
          query: shape,
          ...Object.fromEntries(BACKENDS.map((b) => [b, median(raw[b]![shape]!).toFixed(0)])),
        })),
      )}\n`,
    );
  }
  const results: BackendResult[] = [];
  for (const backend of BACKENDS) results.push(await runBackend(backend));
  process.stdout.write(
    `\n${WEBHOOKS} webhooks over ${TENANTS} subscriptions; list queries in one subscription, ms over ${REPEAT} requests\n`,
  );
  const rows: Record<string, string | number>[] = [];
  for (const [i, query] of results[0]!.queries.entries()) {
    const row: Record<string, string | number> = { query: query.name, matches: query.total };
    for (const result of results) {
      const samples = result.queries[i]!.samples;
      row[`${result.backend} p50`] = median(samples).toFixed(1);
      row[`${result.backend} p95`] = quantile(samples, 0.95).toFixed(1);
    }
    rows.push(row);
  }
  process.stdout.write(`${table(rows)}\n\n`);
  process.stdout.write(
    `${table(
      results.map((r) => ({
        backend: r.backend,
        'seed (s)': r.seedSeconds.toFixed(1),
        'db CPU for all queries (s)': r.queryCpuSeconds.toFixed(1),
        outcomes: OUTCOMES,
        'outcomes (s)': r.outcomeSeconds.toFixed(1),
        'outcomes/s': r.outcomesPerSecond.toFixed(0),
        'attempts logged': r.attemptsLogged,
        'db CPU during outcomes (s)': r.serverCpuSeconds.toFixed(1),
      })),
    )}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  },
);
