/**
 * Dispatcher throughput and latency against a local receiver, beside the raw undici limit to the
 * same receiver measured in the same run. A plain script, not a test:
 * `pnpm --filter @hookline/bench dispatcher` (after a build). Starts its own nats-server and
 * MongoDB-wire server through @hookline/testing; talks to 127.0.0.1 only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretBox } from '@hookline/auth';
import { encodeDeliveryJob, SUBJECTS, type NewDeliveryJob } from '@hookline/contracts';
import { generateSecret } from '@hookline/delivery';
import { NatsClient } from '@hookline/messaging';
import { startApp, startTestInfra, watchOutcomes } from '@hookline/testing';
import { Pool } from 'undici';
import { DISPATCHER_APP } from '@hookline/dispatcher/dist/dispatcher.app';

const JOBS = 5_000;
const WEBHOOKS = 50;
const RAW_CONCURRENCY = 64;
const PUBLISH_BATCH = 200;
const SETTLE_TIMEOUT_MS = 120_000;
const PACED_JOBS = 2_000;
const PACED_RATE = 500;

const payload = {
  rule: { Name: 'bench' },
  message: { object_type: 'Defect', state: { Name: { value: 'x'.repeat(200) } } },
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function report(label: string, count: number, seconds: number, latenciesMs: number[]): void {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(
    `${label.padEnd(34)} ${String(Math.round(count / seconds)).padStart(7)} deliveries/s   p50 ${fmt(percentile(sorted, 50)).padStart(9)}   p99 ${fmt(percentile(sorted, 99)).padStart(9)}`,
  );
}

async function rawUndici(url: URL, body: string): Promise<void> {
  const pool = new Pool(url.origin, { connections: RAW_CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RAW_CONCURRENCY }, async () => {
      while (next < JOBS) {
        next++;
        const t = performance.now();
        const response = await pool.request({
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await response.body.dump();
        latencies.push(performance.now() - t);
      }
    }),
  );
  report(`raw undici (${RAW_CONCURRENCY} connections)`, JOBS, (performance.now() - started) / 1000, latencies);
  await pool.close();
}

async function main(): Promise<void> {
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`);

  await rawUndici(url, JSON.stringify(payload));

  const infra = await startTestInfra();
  const key = randomBytes(32).toString('base64');
  const dispatcher = await startApp(DISPATCHER_APP, {
    NATS_URL: infra.natsUrl,
    MONGO_URL: infra.mongoUrl,
    HOOKLINE_ENCRYPTION_KEY: key,
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_HTTP_PORTS: 'any',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    LOG_LEVEL: 'error',
  });
  const client = await NatsClient.connect(infra.natsUrl, 'dispatch-bench');
  const box = new SecretBox(key);
  const spec = {
    TargetUrl: url.toString(),
    CommunicationMethod: 'http' as const,
    SharedSpace: null,
    Security: null,
    Headers: {},
    Authentication: null,
    SigningSecret: box.encrypt(generateSecret()),
    RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 2, RetryOnStatus: [503] },
  };

  const publishedAt = new Map<string, number>();
  const settled = new Map<string, { endToEnd: number; attempt: number; at: number }>();
  watchOutcomes(client.connection, (outcome) => {
    const at = publishedAt.get(outcome.deliveryId);
    if (outcome.kind !== 'success' || at === undefined) return;
    const now = performance.now();
    settled.set(outcome.deliveryId, { endToEnd: now - at, attempt: outcome.latencyMs, at: now });
  });
  await client.connection.flush();

  const makeJob = (i: number): NewDeliveryJob => {
    const messageId = randomUUID();
    const webhookId = `bench-${i % WEBHOOKS}`;
    return {
      deliveryId: `${messageId}:${webhookId}`,
      tenant: '100',
      webhookId,
      messageId,
      spec,
      payload,
      createdAt: new Date().toISOString(),
    };
  };
  const publish = (job: NewDeliveryJob) => {
    publishedAt.set(job.deliveryId, performance.now());
    return client.js.publish(SUBJECTS.delivery(job.tenant, job.webhookId), encodeDeliveryJob(job), {
      msgID: job.deliveryId,
    });
  };
  const waitSettled = async (jobs: NewDeliveryJob[]) => {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    while (Date.now() < deadline && !jobs.every((j) => settled.has(j.deliveryId)))
      await new Promise((r) => setTimeout(r, 20));
    const done = jobs.flatMap((j) => settled.get(j.deliveryId) ?? []);
    if (done.length < jobs.length)
      console.log(`only ${done.length} of ${jobs.length} deliveries succeeded within ${SETTLE_TIMEOUT_MS} ms`);
    return done;
  };

  // Backlog: every job published at once, as after an outage; measures the instance's throughput.
  const backlog = Array.from({ length: JOBS }, (_, i) => makeJob(i));
  const firstPublish = performance.now();
  for (let i = 0; i < backlog.length; i += PUBLISH_BATCH)
    await Promise.all(backlog.slice(i, i + PUBLISH_BATCH).map(publish));
  const drained = await waitSettled(backlog);
  const seconds = (Math.max(...drained.map((d) => d.at)) - firstPublish) / 1000;
  report(
    `dispatcher backlog, publish→outcome`,
    drained.length,
    seconds,
    drained.map((d) => d.endToEnd),
  );
  report(
    `dispatcher backlog, attempt only`,
    drained.length,
    seconds,
    drained.map((d) => d.attempt),
  );

  // Paced: a steady rate well below the limit; publish→outcome latency without queueing.
  const paced = Array.from({ length: PACED_JOBS }, (_, i) => makeJob(i));
  const pacedStart = performance.now();
  for (let i = 0; i < paced.length; i++) {
    const due = pacedStart + (i * 1000) / PACED_RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await publish(paced[i]);
  }
  const steady = await waitSettled(paced);
  report(
    `dispatcher at ${PACED_RATE}/s, publish→outcome`,
    steady.length,
    (performance.now() - pacedStart) / 1000,
    steady.map((d) => d.endToEnd),
  );
  console.log(
    `(${JOBS} + ${PACED_JOBS} jobs over ${WEBHOOKS} webhooks of one origin; receiver, publisher and dispatcher share this process)`,
  );

  await dispatcher.close();
  await client.close();
  await infra.stop();
  await new Promise((resolve) => receiver.close(resolve));
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
