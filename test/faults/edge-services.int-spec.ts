import { createHmac } from 'node:crypto';
import { DeliverPolicy } from '@nats-io/jetstream';
import { STREAMS, type PipelineRunEvent } from '@hookline/contracts';
import { forwardTo, Listener, type ListenerEvent } from '@hookline/listener';
import { NatsClient } from '@hookline/messaging';
import { waitFor } from '@hookline/testing';
import { E2eStack, type Tenant } from '../e2e/e2e-stack';
import { expectNothingLost, FAULT_DISPATCHER_ENV, faultWebhooks, report, runLoad, settle, sleep } from './fault-load';

const SUBSCRIPTION = 304;

/**
 * The two services at the edges, killed with SIGKILL mid-load and started again: incoming-hooks
 * while senders call a signed hook URL (every call answered 202 has its run, exactly one, and the
 * run reaches the runners on PIPELINES), and the tunnel gateway while deliveries of a websocket
 * webhook flow through it to a listener (the listener reconnects, the dispatcher retries, every
 * change arrives).
 */
describe('faults: kill -9 incoming-hooks and tunnel-gateway mid-load', () => {
  let e2e: E2eStack;
  let tenant: Tenant;
  let nats: NatsClient;

  beforeAll(async () => {
    e2e = await E2eStack.start({
      logDir: process.env.HOOKLINE_FAULT_LOGS,
      serviceEnv: {
        dispatcher: FAULT_DISPATCHER_ENV,
        // The outbox sweep finishes what a killed process left undone; every second here.
        'incoming-hooks': { RUN_OUTBOX_INTERVAL_MS: '1000' },
        // A listener notices a silent gateway within three heartbeats.
        'tunnel-gateway': { TUNNEL_HEARTBEAT_MS: '500' },
      },
    });
    tenant = await e2e.tenant(SUBSCRIPTION);
    nats = await NatsClient.connect(e2e.stack.natsUrl, 'fault-test');
  }, 120_000);

  afterAll(async () => {
    await nats?.close();
    await e2e?.stop();
  });

  it('incoming-hooks: every call answered 202 has exactly one run, and the runners get it', async () => {
    const CALLS = 150;
    const pipeline = await tenant.incoming.request<{ id: string }>('POST', '/pipelines', { name: 'Faults' });
    expect(pipeline.status).toBe(201);
    const hook = await tenant.incoming.request<{ url: string; secret: string }>(
      'POST',
      `/pipelines/${pipeline.body.id}/hooks/incoming`,
      {
        name: 'fault hook',
        requires_secret: true,
        secret_algorithm: 'sha256',
        secret_header_name: 'x-hub-signature-256',
        action_type: 'deploy',
        rate_limit_per_minute: 100_000,
        settings: { variables: [{ name: 'n', path: 'n', type: 'integer', required: true }] },
      },
    );
    expect(hook.status).toBe(201);
    const { url, secret } = hook.body;

    // A sender as GitHub is one: each call signed, with its delivery id, sent again unchanged on a
    // network error or 5xx until it is answered (202, or 200 for a delivery id seen before).
    const runOf = new Map<number, string>();
    const answers: Record<string, number> = {};
    let posts = 0;
    const call = async (n: number): Promise<void> => {
      const body = JSON.stringify({ n });
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const deadline = Date.now() + 45_000;
      for (let tries = 0; Date.now() < deadline; tries++) {
        posts++;
        let answer: string;
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-hub-signature-256': signature,
              'x-github-delivery': `fault-${n}`,
            },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          const reply = (await response.json()) as { run_id?: string };
          if ((response.status === 202 || response.status === 200) && reply.run_id) {
            runOf.set(n, reply.run_id);
            if (response.status === 200) answers['200 (seen before)'] = (answers['200 (seen before)'] ?? 0) + 1;
            return;
          }
          answer = String(response.status);
          if (response.status < 500) {
            answers[answer] = (answers[answer] ?? 0) + 1;
            return;
          }
        } catch {
          answer = 'network';
        }
        answers[answer] = (answers[answer] ?? 0) + 1;
        await sleep(Math.min(2_000, 100 * 2 ** tries));
      }
    };
    const started = Date.now();
    const calls: Promise<void>[] = [];
    let killed: Promise<void> | undefined;
    for (let n = 0; n < CALLS; n++) {
      const due = started + n * 40;
      if (due > Date.now()) await sleep(due - Date.now());
      calls.push(call(n));
      if (n === 50) killed = e2e.stack.restartService('incoming-hooks', 'SIGKILL');
    }
    await killed;
    const restarted = Date.now();
    await Promise.all(calls);

    // Each call's run is stored, with its own variables, and no call made two.
    const runIds = [...runOf.values()];
    const runs = await tenant.incoming.request<{ id: string; variables: { n: number } }[]>(
      'GET',
      `/pipelines/${pipeline.body.id}/runs?limit=200`,
    );
    expect(runs.status).toBe(200);
    const stored = new Map(runs.body.map((r) => [r.id, r.variables.n]));
    const missing = [...runOf].filter(([n, id]) => stored.get(id) !== n);

    // Every run reaches the runners (the outbox sweep publishes what the killed process could not).
    const published = new Map<string, number>();
    const readPipelines = async (): Promise<void> => {
      published.clear();
      // The whole stream (filter_subjects needs nats-server 2.10); this stack runs no other pipelines.
      const consumer = await nats.js.consumers.get(STREAMS.PIPELINES.name, { deliver_policy: DeliverPolicy.All });
      const info = await nats.jsm.streams.info(STREAMS.PIPELINES.name);
      const messages = await consumer.fetch({ max_messages: 10_000, expires: 2_000 });
      for await (const msg of messages) {
        const event = msg.json<PipelineRunEvent>();
        if (event.tenant === String(SUBSCRIPTION)) published.set(event.runId, (published.get(event.runId) ?? 0) + 1);
        if (msg.seq >= info.state.last_seq || msg.info.pending === 0) break;
      }
    };
    await waitFor(
      async () => {
        await readPipelines();
        return runIds.every((id) => published.has(id));
      },
      30_000,
      1_000,
    ).catch((err: unknown) => process.stdout.write(`PIPELINES not complete: ${String(err)}\n`));
    const unpublished = runIds.filter((id) => !published.has(id));
    const repeated = [...published.values()].filter((count) => count > 1).length;
    const line =
      `fault kill -9 incoming-hooks: ${runOf.size} of ${CALLS} hook calls answered (${posts} POSTs: ` +
      `${Object.entries(answers)
        .map(([a, k]) => `${k}× ${a}`)
        .join(', ')}), ${new Set(runIds).size} distinct runs, ${runs.body.length} runs stored, ` +
      `${missing.length} lost, ${unpublished.length} not on PIPELINES, ${repeated} published twice (same run id); ` +
      `restarted ${((restarted - started) / 1000).toFixed(1)} s into the load`;
    process.stdout.write(`${line}\n`);
    expect(runOf.size).toBe(CALLS);
    expect(new Set(runIds).size).toBe(CALLS);
    expect(runs.body).toHaveLength(CALLS);
    expect(missing).toEqual([]);
    expect(unpublished).toEqual([]);
  }, 150_000);

  it('tunnel-gateway: deliveries are retried and all arrive once the listener is back', async () => {
    const CHANGES = 200;
    const space = 'faults';
    const listenerKey = (await e2e.tenant(SUBSCRIPTION, ['integration'], [space])).key;
    const webhooks = await faultWebhooks(e2e, tenant, e2e.receiver, 'tunnel', 2, {
      CommunicationMethod: 'websocket',
      SharedSpace: space,
    });
    const events: ListenerEvent[] = [];
    const ready = (): number => events.filter((e) => e.kind === 'ready').length;
    // One listener for both webhooks, forwarding each to its path on the receiver.
    const listener = new Listener(
      {
        gatewayUrl: e2e.stack.url('tunnel-gateway'),
        sharedSpace: space,
        apiKey: listenerKey,
        backoff: { initialMs: 100, maxMs: 1_000 },
      },
      (delivery) => {
        const webhook = webhooks.find((w) => w.id === delivery.webhookId);
        return forwardTo(e2e.receiver.url(webhook?.path ?? '/unknown'), 10_000)(delivery);
      },
      (event) => events.push(event),
    );
    listener.start();
    try {
      await waitFor(() => ready() === 1, 15_000, 50);
      const loading = runLoad(e2e.stack.url('change-ingest'), tenant.key, {
        label: 'tunnel',
        changes: CHANGES,
        perSecond: 25,
      });
      await sleep(2_000);
      await e2e.stack.restartService('tunnel-gateway', 'SIGKILL');
      const restarted = Date.now();
      await waitFor(() => ready() === 2, 20_000, 50);
      const reconnectedMs = Date.now() - restarted;
      const load = await loading;
      const counted = await settle(e2e.receiver, load, webhooks, 90_000);
      report(
        'kill -9 tunnel-gateway',
        load,
        counted,
        `listener back ${(reconnectedMs / 1000).toFixed(1)} s after the gateway restarted`,
        restarted,
      );
      expectNothingLost(load, counted, CHANGES);
    } finally {
      await listener.stop();
    }
  }, 180_000);
});
