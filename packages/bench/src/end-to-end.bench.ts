/**
 * Issue 8's benchmark: the whole platform as real processes (change-ingest → matcher → dispatcher
 * → receiver, with the registry recording outcomes) beside the raw limit of the same machine.
 *
 * 1. Raw limit (end-to-end/raw.ts, in a child process: raw-sender.ts): undici alone to the
 *    receivers, and a JetStream publish + pull-consume pipeline whose consumer POSTs each message
 *    with undici and acks it, on a nats-server of its own.
 * 2. The stack (ProcessStack: registry, change-ingest, matcher, dispatcher, nats-server, a
 *    MongoDB-wire server), 10,000 webhooks (1,000 tenants × 10) pointing at 20 receivers in this
 *    process (end-to-end/registration.ts: on FerretDB 200 through REST, the rest published).
 * 3. Changes through the NATS ingest that fan out to 1 or 10 webhooks (end-to-end/scenarios.ts):
 *    at max, each max run right after a raw pipeline max of its own round; then paced at half the
 *    throughput target; then the fan-out-10 paced run with 10% of the receivers dead, then hanging,
 *    each bad round right after an all-healthy one. Latency is from the ingest request to the
 *    receiver having the whole body.
 * 4. The tables and each target judged on the median of ROUNDS (3) rounds (end-to-end/report.ts).
 *
 * Knobs (end-to-end/config.ts, checked at start): BENCH_RAW_MAX=<deliveries/s> skips the raw runs;
 * BENCH_RUNS=max1,paced1,max10,paced10,bad picks runs; BENCH_BAD=dead,hang (the default) lists the
 * bad series (hang+dead: one of each); BENCH_ROUNDS; BENCH_PACED_SECONDS; BENCH_TENANTS;
 * BENCH_REST_WEBHOOKS; BENCH_TRACE=1 prints the queues every second and the services' warnings;
 * BENCH_PROFILE=dispatcher,matcher writes V8 CPU profiles to BENCH_PROFILE_DIR (./bench-profiles),
 * or runs them with BENCH_NODE_OPTIONS instead; BENCH_WITHOUT_REGISTRY=1 stops the registry after
 * registration, to see what its outcome bookkeeping costs the delivery path. About fifteen minutes.
 */
import { performance } from 'node:perf_hooks';
import { NatsClient } from '@hookline/messaging';
import { ProcessStack, Receiver } from '@hookline/testing';
import { CpuMeter } from './cpu-meter';
import { ConfigError } from './bench-env';
import { readConfig, type EndToEndConfig } from './end-to-end/config';
import { RawLimit } from './end-to-end/raw';
import { Receipts } from './end-to-end/receipts';
import { registerWebhooks } from './end-to-end/registration';
import { reportLines } from './end-to-end/report';
import {
  badSeries,
  maxSeries,
  pacedSeries,
  quarterOf,
  traceDump,
  warmUp,
  type ScenarioContext,
} from './end-to-end/scenarios';
import { logServiceOutput, stopStackOnSignal, withProfiles } from './stack-lifecycle';
import { log, median } from './stats';

async function startStack(config: EndToEndConfig): Promise<ProcessStack> {
  log('stack: starting registry, change-ingest, matcher, dispatcher ...');
  const started = performance.now();
  const stack = await ProcessStack.start({
    services: ['registry', 'change-ingest', 'matcher', 'dispatcher'],
    env: { LOG_LEVEL: config.trace ? 'warn' : 'error' },
    serviceEnv: withProfiles(
      { dispatcher: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_HTTP_PORTS: 'any', WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8' } },
      config.profiling,
    ),
  });
  log(`stack: ready in ${((performance.now() - started) / 1000).toFixed(1)} s (${stack.infraSources.mongo})`);
  return stack;
}

async function main(): Promise<void> {
  const config = readConfig();
  const cpu = new CpuMeter('bench (load + receivers)');
  const receipts = new Receipts(config.badReceivers);
  const receivers = await Promise.all(Array.from({ length: config.receivers }, () => Receiver.start()));
  receivers.forEach((receiver, index) => receipts.listen(receiver, index));
  let stack: ProcessStack | undefined;
  stopStackOnSignal(() => stack);
  let raw: RawLimit | undefined;
  try {
    raw = await RawLimit.start(
      { config, cpu, receipts },
      receivers.map((r) => `http://127.0.0.1:${r.port}`),
    );
    stack = await startStack(config);
    const client = await NatsClient.connect(stack.natsUrl, 'bench-producer');
    const ctx: ScenarioContext = {
      config,
      cpu,
      receipts,
      receivers,
      stack,
      client,
      changesSent: 0,
      rows: [],
      notes: [],
    };
    const registration = await registerWebhooks(ctx);
    if (config.withoutRegistry) {
      log('stack: stopping the registry (BENCH_WITHOUT_REGISTRY): outcomes are not recorded');
      await stack.stopService('registry');
    }

    const firstRawMax = await raw.max(1);
    await warmUp(ctx, firstRawMax);
    const { rawMaxes, maxRatios } = await maxSeries(ctx, raw, firstRawMax);
    const rawMax = median(rawMaxes);
    // "p99 under 100 ms at half that load": half the throughput target, i.e. a quarter of the raw max.
    const offered = quarterOf(config, rawMax);
    const rawHalf = await raw.half(rawMax);
    const pacedRuns = await pacedSeries(ctx, rawMax, offered);
    const bad = await badSeries(ctx, rawMax, offered);
    await client.close();
    await traceDump(ctx);

    const results = {
      registrationLine: registration.line,
      webhooks: registration.total,
      undici: raw.undici,
      rawRows: raw.rows,
      rawHalf,
      rows: ctx.rows,
      rawMaxes,
      rawMax,
      maxRatios,
      offered,
      pacedRuns,
      badSeries: bad,
      notes: ctx.notes,
    };
    for (const line of reportLines(results, config.targets)) log(line);
  } catch (err) {
    logServiceOutput(stack);
    throw err;
  } finally {
    await raw?.stop();
    await stack?.stop();
    await Promise.all(receivers.map((r) => r.stop().catch(() => undefined)));
  }
}

void main().catch((err: unknown) => {
  // A wrong knob says which and why, without a stack trace.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
