/**
 * Issue 29's long mixed load: looks for the embedded server's stalls (every webhook or API-key
 * create hanging while reads answer). A stack of its own (ProcessStack, free ports) runs
 * registry, dispatcher, incoming-hooks and change-ingest on the embedded server, and for
 * MIXED_MINUTES (12) these run side by side, each one request at a time:
 *
 * - registry writes: create a webhook, change it, delete every third; an API key now and then;
 * - outcome batches: 250 outcomes over up to 150 webhooks on OUTCOME_BATCHES every second, timed
 *   until the registry has acked the batch (its log, stats and failed deliveries are stored);
 * - blocklist: the dispatchers refresh it every second (BLOCKLIST_REFRESH_MS), and its list is read;
 * - incoming-hook runs: a POST to a hook URL, each stored as a run;
 * - restarts: the registry killed (SIGKILL) at a third of the run, the dispatcher at two thirds.
 *
 * Every operation slower than MIXED_SLOW_MS (5,000) is printed when it ends, with its name; the
 * summary gives each operation's count, failures, p50, p99 and maximum. Not part of `pnpm bench`:
 * `node packages/bench/dist/mixed-load.bench.js` (results: docs/storage.md).
 */
import { performance } from 'node:perf_hooks';
import { SUBJECTS } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { ApiClient, ProcessStack, SEED_EXAMPLE } from '@hookline/testing';
import { benchOutcome } from './outcomes';
import { logServiceOutput, stopStackOnSignal } from './stack-lifecycle';
import { log, quantile, table } from './stats';

const MINUTES = Number(process.env.MIXED_MINUTES ?? 12);
const SLOW_MS = Number(process.env.MIXED_SLOW_MS ?? 5_000);
/** A request that has not answered after this long is given up and counted as failed (and slow). */
const REQUEST_LIMIT_MS = 60_000;
const SUBSCRIPTION = 700;
const OUTCOMES_PER_BATCH = 250;
const OUTCOME_WEBHOOKS = 150;

interface Op {
  samples: number[];
  failures: Map<string, number>;
}

const ops = new Map<string, Op>();
const slow: { at: string; op: string; ms: number; result: string }[] = [];
let started = 0;

function record(op: string, ms: number, result: string): void {
  let entry = ops.get(op);
  if (!entry) ops.set(op, (entry = { samples: [], failures: new Map() }));
  entry.samples.push(ms);
  if (result !== 'ok') entry.failures.set(result, (entry.failures.get(result) ?? 0) + 1);
  if (ms > SLOW_MS) {
    const at = `+${((performance.now() - started) / 1000).toFixed(0)} s`;
    slow.push({ at, op, ms, result });
    log(`SLOW ${at} ${op}: ${(ms / 1000).toFixed(1)} s (${result})`);
  }
}

/** Times one operation; its answer's status (or error) is the result. */
async function timed<T>(op: string, run: () => Promise<{ status: number; body: T }>): Promise<T | undefined> {
  const begin = performance.now();
  try {
    const reply = await run();
    const ok = reply.status >= 200 && reply.status < 300;
    record(op, performance.now() - begin, ok ? 'ok' : String(reply.status));
    return ok ? reply.body : undefined;
  } catch (err) {
    record(op, performance.now() - begin, (err as Error).name === 'TimeoutError' ? 'timeout' : 'error');
    return undefined;
  }
}

/** A JSON request that gives up after REQUEST_LIMIT_MS. */
async function call<T>(
  url: string,
  method: string,
  key: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(key && { authorization: `Bearer ${key}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_LIMIT_MS),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  let stack: ProcessStack | undefined;
  stopStackOnSignal(() => stack);
  try {
    stack = await ProcessStack.start({
      services: ['registry', 'dispatcher', 'incoming-hooks', 'change-ingest'],
      logDir: process.env.BENCH_LOG_DIR,
      serviceEnv: {
        dispatcher: { BLOCKLIST_REFRESH_MS: '1000' },
        // Webhooks aimed at a local port nobody listens on: the registry checks that a target can be delivered to.
        registry: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_HTTP_PORTS: 'any', WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8' },
        // Three runs a second, above the default limit of one.
        'incoming-hooks': { HOOK_RATE_LIMIT_PER_MINUTE: '1000' },
      },
    });
    await run(stack);
  } catch (err) {
    logServiceOutput(stack);
    throw err;
  } finally {
    await stack?.stop();
  }
}

async function run(stack: ProcessStack): Promise<void> {
  const s = stack;
  const key = await new ApiClient(s.url('registry'), s.adminKey).createKey(SUBSCRIPTION);
  const registry = (path: string) => `${s.url('registry')}${path}`;
  const pipeline = await call<{ id: string }>(`${s.url('incoming-hooks')}/pipelines`, 'POST', key, { name: 'load' });
  const hook = await call<{ url: string }>(
    `${s.url('incoming-hooks')}/pipelines/${pipeline.body.id}/hooks/incoming`,
    'POST',
    key,
    { name: 'load hook', requires_secret: false, action_type: 'deploy' },
  );
  if (hook.status !== 201) throw new Error(`incoming hook: ${hook.status} ${JSON.stringify(hook.body)}`);
  const probe = await call(registry('/api/v2/webhook'), 'POST', key, {
    ...SEED_EXAMPLE,
    Name: 'probe',
    TargetUrl: 'http://127.0.0.1:9/hooks/probe',
  });
  if (probe.status !== 200) throw new Error(`webhook create: ${probe.status} ${JSON.stringify(probe.body)}`);
  const nats = await NatsClient.connect(s.natsUrl, 'mixed-load');
  const webhookIds: string[] = [];
  started = performance.now();
  const until = started + MINUTES * 60_000;
  const running = () => performance.now() < until;
  log(`mixed load for ${MINUTES} min; slow = over ${SLOW_MS} ms`);

  const registryWrites = async () => {
    for (let i = 0; running(); i++) {
      const created = await timed<{ ObjectUUID: string }>('registry: create webhook', () =>
        call(registry('/api/v2/webhook'), 'POST', key, {
          ...SEED_EXAMPLE,
          Name: `load ${i}`,
          TargetUrl: `http://127.0.0.1:9/hooks/${i}`,
        }),
      );
      if (created) {
        const id = created.ObjectUUID;
        await timed('registry: change webhook', () =>
          call(registry(`/api/v2/webhook/${id}`), 'PATCH', key, { Name: `load ${i} changed` }),
        );
        if (i % 3 === 2)
          await timed('registry: delete webhook', () => call(registry(`/api/v2/webhook/${id}`), 'DELETE', key));
        else webhookIds.push(id);
      }
      if (i % 10 === 0)
        await timed('registry: create API key', () =>
          call(registry('/api/v2/apikey'), 'POST', s.adminKey, {
            Name: `load key ${i}`,
            SubscriptionID: SUBSCRIPTION,
            Roles: ['admin'],
            SharedSpaces: [],
          }),
        );
      await pause(200);
    }
  };

  const registryReads = async () => {
    while (running()) {
      await timed('registry: list webhooks', () => call(registry('/api/v2/webhook?pagesize=20'), 'GET', key));
      await pause(1_000);
    }
  };

  const outcomeBatches = async () => {
    for (let n = 0; running(); n++) {
      const targets = webhookIds.slice(-OUTCOME_WEBHOOKS);
      if (targets.length === 0) {
        await pause(1_000);
        continue;
      }
      const outcomes = Array.from({ length: OUTCOMES_PER_BATCH }, (_, i) =>
        benchOutcome(i, String(SUBSCRIPTION), targets, new Date(), { n: i }),
      );
      const begin = performance.now();
      try {
        const ack = await nats.js.publish(SUBJECTS.outcomeBatch('mixed-load'), JSON.stringify({ outcomes }), {
          msgID: `mixed-load-${n}`,
        });
        // Stored once the registry's consumer has acked past this batch.
        for (;;) {
          const info = await nats.jsm.consumers.info('OUTCOME_BATCHES', 'registry-outcome-batches');
          if (info.ack_floor.stream_seq >= ack.seq) break;
          if (performance.now() - begin > 10 * 60_000) throw new Error('not stored within 10 minutes');
          await pause(100);
        }
        record('outcomes: batch of 250 stored', performance.now() - begin, 'ok');
      } catch {
        record('outcomes: batch of 250 stored', performance.now() - begin, 'error');
      }
      await pause(1_000);
    }
  };

  const blocklistReads = async () => {
    while (running()) {
      await timed('dispatcher: list blocklist', () => call(`${s.url('dispatcher')}/api/v2/blocklist`, 'GET', key));
      await pause(2_000);
    }
  };

  const hookRuns = async () => {
    for (let i = 0; running(); i++) {
      await timed('incoming hook: run', () => call(hook.body.url, 'POST', undefined, { n: i, ref: 'main' }));
      await pause(300);
    }
  };

  const restarts = async () => {
    for (const [fraction, service] of [
      [1 / 3, 'registry'],
      [2 / 3, 'dispatcher'],
    ] as const) {
      while (running() && performance.now() < started + fraction * MINUTES * 60_000) await pause(1_000);
      if (!running()) return;
      const begin = performance.now();
      log(`restarting ${service} (SIGKILL) at +${((begin - started) / 1000).toFixed(0)} s`);
      await s.restartService(service, 'SIGKILL');
      record(`restart: ${service} ready`, performance.now() - begin, 'ok');
    }
  };

  const progress = async () => {
    while (running()) {
      await pause(60_000);
      const done = [...ops.values()].reduce((sum, op) => sum + op.samples.length, 0);
      log(`+${((performance.now() - started) / 60_000).toFixed(0)} min: ${done} operations, ${slow.length} slow`);
    }
  };

  try {
    await Promise.all([
      registryWrites(),
      registryReads(),
      outcomeBatches(),
      blocklistReads(),
      hookRuns(),
      restarts(),
      progress(),
    ]);
  } finally {
    await nats.connection.close();
  }

  log(`\n${MINUTES} min of mixed load; ms`);
  log(
    table(
      [...ops.entries()].map(([op, { samples, failures }]) => ({
        operation: op,
        count: samples.length,
        failed: [...failures.entries()].map(([why, n]) => `${n}× ${why}`).join(', ') || 0,
        p50: quantile(samples, 0.5).toFixed(0),
        p99: quantile(samples, 0.99).toFixed(0),
        max: Math.max(...samples).toFixed(0),
        [`> ${SLOW_MS / 1000} s`]: samples.filter((ms) => ms > SLOW_MS).length,
      })),
    ),
  );
  log(`\n${slow.length} operations slower than ${SLOW_MS} ms`);
  if (slow.length > 0) log(table(slow.map((e) => ({ ...e, ms: e.ms.toFixed(0) }))));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  },
);
