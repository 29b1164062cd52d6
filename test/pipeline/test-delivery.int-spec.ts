import { createServer, type Server } from 'node:http';
import { startApp, type RunningApp } from '@hookline/testing';
import { CHANGE_INGEST_APP } from '../../apps/change-ingest/src/change-ingest.app';
import { DISPATCHER_APP } from '../../apps/dispatcher/src/dispatcher.app';
import { MATCHER_APP } from '../../apps/matcher/src/matcher.app';
import { ADMIN_KEY, ENCRYPTION_KEY, RegistryHarness, waitFor } from '../../apps/registry/test/registry-harness';

/** The registry's "test a webhook" and replay go through the real dispatcher to a real receiver. */
describe('registry → dispatcher → receiver', () => {
  let h: RegistryHarness;
  let dispatcher: RunningApp;
  let ingest: RunningApp;
  let matcher: RunningApp;
  /** Statuses the receiver answers, in order; 200 once they run out. */
  const answers: number[] = [];
  let receiver: Server;
  let port: number;
  const received: { id: string; path: string; body: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ id: String(req.headers['webhook-id']), path: req.url ?? '', body });
        res.statusCode = req.url === '/retried' ? (answers.shift() ?? 200) : 200;
        res.end('thanks');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as { port: number }).port;
    h = await RegistryHarness.start();
    dispatcher = await startApp(DISPATCHER_APP, {
      NATS_URL: h.infra.natsUrl,
      MONGO_URL: h.infra.mongoUrl,
      HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_HTTP_PORTS: 'any',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      BREAKER_RESET_MS: '2000',
    });
    const env = { NATS_URL: h.infra.natsUrl, MONGO_URL: h.infra.mongoUrl, HOOKLINE_ADMIN_KEY: ADMIN_KEY };
    ingest = await startApp(CHANGE_INGEST_APP, env);
    matcher = await startApp(MATCHER_APP, env);
  });

  afterAll(async () => {
    await matcher?.close();
    await ingest?.close();
    await dispatcher?.close();
    await h?.stop();
    receiver?.close();
  });

  it('tests a webhook through the real dispatcher path and reports the receiver status', async () => {
    const key = await h.createKey(100);
    const created = await h.request('POST', '/api/v2/webhook', {
      key,
      body: {
        AppName: 'App',
        AppUrl: 'www.example.com',
        Name: 'tested',
        TargetUrl: `http://127.0.0.1:${port}/hook`,
        Expressions: [{ AttributeName: 'Severity', Operator: '=', Value: 'High' }],
      },
    });
    expect(created.status).toBe(200);
    const id = created.body.ObjectUUID as string;

    const tested = await h.request('POST', `/api/v2/webhook/${id}/test`, { key });
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ Status: 200 });
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0].body)).toHaveProperty('rule.ObjectUUID', id);

    const signed = received[0];
    expect(signed.id).toMatch(/^test-/);
  });

  it('retries 503, 503 then delivers, keeps the stats, and replays a delivery that failed for good', async () => {
    const key = await h.createKey(100);
    const created = await h.request('POST', '/api/v2/webhook', {
      key,
      body: {
        AppName: 'App',
        AppUrl: 'www.example.com',
        Name: 'retried',
        TargetUrl: `http://127.0.0.1:${port}/retried`,
        ObjectTypes: ['Defect'],
        Expressions: [{ AttributeName: 'Severity', Operator: '=', Value: 'High' }],
        RetryPolicy: { MaxRetries: 2, InitialDelayMs: 100, BackoffMultiplier: 1, RetryOnStatus: [503] },
      },
    });
    expect(created.status).toBe(200);
    const id = created.body.ObjectUUID as string;
    await waitFor(async () => {
      const res = await fetch(`${matcher.baseUrl}/api/v2/index`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      // The webhook of the first test is in the index too.
      const body = (await res.json()) as { total: number };
      return body.total === 2;
    });
    const change = (objectId: string) =>
      fetch(`${ingest.baseUrl}/api/v2/changes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({
          action: 'Created',
          object_type: 'Defect',
          object_id: objectId,
          after: { Severity: 'High' },
        }),
      });
    const retried = () => received.filter((r) => r.path === '/retried');
    // Only this webhook's receiver path answers from the list; the other webhook's deliveries get 200.
    answers.push(503, 503);
    expect((await change('d-1')).status).toBe(202);
    const stats = await waitFor(async () => {
      const webhook = (await h.request('GET', `/api/v2/webhook/${id}`, { key })).body;
      return webhook.FireCount === 3 && webhook.LastStatus === 200 && webhook;
    }, 20_000);
    expect(stats).toMatchObject({ FireCount: 3, ErrorCount: 0, LastStatus: 200 });
    expect(retried()).toHaveLength(3);
    expect(new Set(retried().map((r) => r.id)).size).toBe(1);

    answers.push(503, 503, 503);
    expect((await change('d-2')).status).toBe(202);
    const failed = await waitFor(
      async () => (await h.request('GET', `/api/v2/webhook/${id}/failed`, { key })).body.Results?.[0],
      20_000,
    );
    expect(failed).toMatchObject({ LastStatus: 503, Attempts: 3 });
    const before = retried().length;
    const replay = await h.request('POST', `/api/v2/webhook/${id}/failed/${failed.DeliveryID}/replay`, { key });
    expect(replay.status).toBe(202);
    // Five 503s in a row opened the origin's breaker: the replay is held until the half-open probe.
    await waitFor(() => retried().length === before + 1, 15_000);
    expect(JSON.parse(retried()[before].body)).toHaveProperty('rule.ObjectUUID', id);
  });
});
