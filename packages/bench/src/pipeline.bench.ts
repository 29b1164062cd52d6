/**
 * Ingest → matcher → DELIVERIES: how long a change takes from the producer's request to its
 * delivery job being stored, and how many changes per second the two services sustain, with
 * 10,000 webhooks across 1,000 tenants in the matcher's index. Everything runs on 127.0.0.1.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { decodeDeliveryJob, SUBJECTS, type WebhookEvent } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { mongoUrlFor, startApp, startMongo, startNats, webhookView } from '@hookline/testing';
import { CHANGE_INGEST_APP } from '@hookline/change-ingest/dist/change-ingest.app';
import { MATCHER_APP } from '@hookline/matcher/dist/matcher.app';
import { quantile, table } from './stats';

const WEBHOOKS = 10_000;
const TENANTS = 1_000;
const CHANGES = 4_000;
const IN_FLIGHT = 32;
const ADMIN_KEY = randomBytes(16).toString('hex');

function webhookEvent(i: number): WebhookEvent {
  const tenant = String(1 + (i % TENANTS));
  const id = randomUUID();
  const now = new Date().toISOString();
  const webhook = webhookView({
    ObjectUUID: id,
    Name: `hook ${i}`,
    AppName: 'bench',
    AppUrl: 'https://bench.example',
    TargetUrl: `https://receiver-${i}.example/hook`,
    ObjectTypes: [i % 2 === 0 ? 'Defect' : 'HierarchicalRequirement'],
    Events: [],
    Expressions: [{ AttributeID: null, AttributeName: 'Severity', Operator: '=', Value: i % 4 < 2 ? 'High' : 'Low' }],
    RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 2, RetryOnStatus: [503] },
    SigningSecret: 'whsec_***',
    CreationDate: now,
    LastUpdateDate: now,
    SubscriptionID: Number(tenant),
  });
  return {
    kind: 'created',
    tenant,
    webhookId: id,
    objectVersion: 1,
    webhook,
    spec: {
      TargetUrl: webhook.TargetUrl,
      CommunicationMethod: 'http',
      SharedSpace: null,
      Security: null,
      Headers: {},
      Authentication: null,
      SigningSecret: 'v1:bench',
      RetryPolicy: webhook.RetryPolicy,
    },
  };
}

async function main(): Promise<void> {
  const nats = await startNats({ private: true });
  const mongo = await startMongo({ private: true });
  const env = {
    NATS_URL: nats.url,
    MONGO_URL: mongoUrlFor(mongo.url, 'bench'),
    HOOKLINE_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'error',
  };
  const matcher = await startApp(MATCHER_APP, env);
  const ingest = await startApp(CHANGE_INGEST_APP, env);
  const client = ingest.app.get(NatsClient);
  try {
    for (let i = 0; i < WEBHOOKS; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, WEBHOOKS - i) }, (_, k) => {
          const event = webhookEvent(i + k);
          return client.js.publish(SUBJECTS.webhookEvent(event.tenant, event.webhookId), JSON.stringify(event));
        }),
      );
    }
    for (let tries = 0; tries < 600; tries++) {
      const res = await fetch(`${matcher.baseUrl}/api/v2/index`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      if (((await res.json()) as { total: number }).total === WEBHOOKS) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let jobs = 0;
    const seen = new Set<string>();
    let allSeen: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allSeen = resolve));
    const expected = new Set<string>();
    // Until every change is sent, jobs catching up with the sends are not all of them.
    let sending = true;
    client.connection.subscribe('deliveries.>', {
      callback: (_err, msg) => {
        const job = decodeDeliveryJob(msg.data);
        jobs++;
        if (seen.has(job.messageId)) return;
        seen.add(job.messageId);
        const start = sentAt.get(job.messageId);
        if (start !== undefined) latencies.push(performance.now() - start);
        if (!sending && seen.size === expected.size) allSeen();
      },
    });

    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < CHANGES) {
        const n = next++;
        const tenant = String(1 + (n % TENANTS));
        const messageId = randomUUID();
        // Webhook i is a High-severity Defect webhook when i % 4 === 0, so of tenant t = 1 + n % 1000
        // exactly when n % 4 === 0: a quarter of the changes match (each fans out to 10 webhooks).
        const matches = n % 4 === 0;
        if (matches) expected.add(messageId);
        sentAt.set(messageId, performance.now());
        await client.connection.request(
          SUBJECTS.ingest(tenant),
          JSON.stringify({
            message_id: messageId,
            action: 'Created',
            object_type: 'Defect',
            object_id: `d-${n}`,
            after: { Name: `d ${n}`, Severity: matches ? 'High' : 'Medium' },
          }),
          { timeout: 10_000 },
        );
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    sending = false;
    if (seen.size === expected.size) allSeen();
    await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
    const seconds = (performance.now() - started) / 1000;

    process.stdout.write(
      `\nIngest → matcher → DELIVERIES (${WEBHOOKS} webhooks, ${TENANTS} tenants, ${IN_FLIGHT} producers in flight)\n`,
    );
    process.stdout.write(
      `${table([
        {
          changes: CHANGES,
          'changes/s': CHANGES / seconds,
          'delivery jobs': jobs,
          'matched changes': `${seen.size}/${expected.size}`,
          'p50 ms': quantile(latencies, 0.5),
          'p99 ms': quantile(latencies, 0.99),
          'max ms': quantile(latencies, 1),
        },
      ])}\n`,
    );
  } finally {
    await ingest.close();
    await matcher.close();
    await nats.stop();
    await mongo.stop();
  }
}

void main();
