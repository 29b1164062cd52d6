import { createServer, type Server } from 'node:http';
import { startApp, type RunningApp } from '@hookline/testing';
import { DISPATCHER_APP } from '../../apps/dispatcher/src/dispatcher.app';
import { ENCRYPTION_KEY, RegistryHarness } from '../../apps/registry/test/registry-harness';

/** The registry's "test a webhook" and replay go through the real dispatcher to a real receiver. */
describe('registry → dispatcher → receiver', () => {
  let h: RegistryHarness;
  let dispatcher: RunningApp;
  let receiver: Server;
  let port: number;
  const received: { id: string; body: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ id: String(req.headers['webhook-id']), body });
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
    });
  });

  afterAll(async () => {
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
});
