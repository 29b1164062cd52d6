/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '@hookline/listener';
import { startApp, type Receiver, type RunningApp } from '@hookline/testing';
import { CHANGE_INGEST_APP } from '../../apps/change-ingest/src/change-ingest.app';
import { DISPATCHER_APP } from '../../apps/dispatcher/src/dispatcher.app';
import { MATCHER_APP } from '../../apps/matcher/src/matcher.app';
import { ADMIN_KEY, ENCRYPTION_KEY, RegistryHarness, waitFor } from '../../apps/registry/test/registry-harness';
import { TUNNEL_GATEWAY_APP } from '../../apps/tunnel-gateway/src/tunnel-gateway.app';
import { answerWith, RECEIVER_PATH, startLocalReceiver, TcpProxy } from '../../apps/tunnel-gateway/test/tunnel-harness';

const SUBSCRIPTION = 100;

/** `hookline listen ... [--forward <receiver>]` run in-process: exactly what the CLI runs, output captured. */
function listen(gatewayUrl: string, space: string, key: string, forward: string | null) {
  const out: string[] = [];
  const err: string[] = [];
  let interrupt!: () => void;
  const exitCode = runCli({
    argv: [
      'listen',
      '--space',
      space,
      '--key',
      key,
      ...(forward === null ? [] : ['--forward', forward]),
      '--url',
      gatewayUrl,
      '--max-backoff',
      '1000',
    ],
    env: {},
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    interrupted: new Promise<void>((resolve) => (interrupt = resolve)),
    readStdin: () => Promise.resolve(''),
  });
  const readyCount = () => err.filter((line) => line.startsWith('listening')).length;
  return {
    out,
    err,
    exitCode,
    ready: (n = 1) => waitFor(() => readyCount() >= n),
    stop: async () => {
      interrupt();
      await exitCode;
    },
  };
}

/**
 * Websocket webhooks through the whole platform: registry → change-ingest → matcher → dispatcher
 * → one of two tunnel gateways → the listener CLI's code → a receiver on 127.0.0.1, and the
 * receiver's status back into the webhook's stats.
 */
describe('websocket webhook → tunnel gateway → listener → local receiver', () => {
  let h: RegistryHarness;
  let dispatcher: RunningApp;
  let ingest: RunningApp;
  let matcher: RunningApp;
  let gatewayA: RunningApp;
  let gatewayB: RunningApp;
  let receiver: Receiver;
  let admin: string;
  const listeners: ReturnType<typeof listen>[] = [];

  const startListener = (
    gateway: RunningApp | TcpProxy,
    space: string,
    key: string,
    forward: string | null = receiver.url(RECEIVER_PATH),
  ) => {
    const started = listen(gateway.baseUrl.replace(/^http/, 'ws'), space, key, forward);
    listeners.push(started);
    return started;
  };

  /** An integration key assigned to the spaces, made through the registry's API. */
  const integrationKey = async (...spaces: string[]): Promise<{ key: string; id: string }> => {
    const created = await h.request('POST', '/api/v2/apikey', {
      key: admin,
      body: { Name: 'tunnel listener', Roles: ['integration'], SharedSpaces: spaces },
    });
    expect(created.status).toBe(200);
    return { key: created.body.Key as string, id: created.body.KeyID as string };
  };

  /** A websocket webhook of the space that fires on Defect changes with `Team` = the space; ready to match. */
  const websocketWebhook = async (space: string, overrides: Record<string, unknown> = {}): Promise<string> => {
    const created = await h.request('POST', '/api/v2/webhook', {
      key: admin,
      body: {
        AppName: 'Octane',
        AppUrl: 'www.example.com',
        Name: `tunnel ${space}`,
        // Required by the API, unused: the delivery goes through the tunnel.
        TargetUrl: 'https://listener.example.com/unused',
        CommunicationMethod: 'websocket',
        SharedSpace: space,
        ObjectTypes: ['Defect'],
        Expressions: [{ AttributeName: 'Team', Operator: '=', Value: space }],
        // Early retries come fast; the growing delays leave ~20 s for a listener to come back.
        RetryPolicy: { MaxRetries: 10, InitialDelayMs: 200, BackoffMultiplier: 1.5 },
        ...overrides,
      },
    });
    expect(created.status).toBe(200);
    const id = created.body.ObjectUUID as string;
    await waitFor(async () => {
      const res = await fetch(`${matcher.baseUrl}/api/v2/index`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      const index = (await res.json()) as { loaded: boolean; lag: number };
      return index.loaded && index.lag === 0;
    });
    return id;
  };

  const change = async (space: string, objectId: string) => {
    const res = await fetch(`${ingest.baseUrl}/api/v2/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ action: 'Created', object_type: 'Defect', object_id: objectId, after: { Team: space } }),
    });
    expect(res.status).toBe(202);
  };

  const receivedFor = (webhookId: string) =>
    receiver.requests.filter((r) => (JSON.parse(r.body) as any).rule?.ObjectUUID === webhookId);
  const webhook = async (id: string) => (await h.request('GET', `/api/v2/webhook/${id}`, { key: admin })).body;
  const attempts = async (id: string): Promise<any[]> =>
    (await h.request('GET', `/api/v2/webhook/${id}/attempts`, { key: admin })).body.Results;
  const sessions = async (gateway: RunningApp) => {
    const res = await fetch(`${gateway.baseUrl}/api/v2/sessions`, { headers: { authorization: `Bearer ${admin}` } });
    return ((await res.json()) as { Results: { SharedSpace: string; Listeners: any[] }[] }).Results;
  };

  beforeAll(async () => {
    receiver = await startLocalReceiver();
    h = await RegistryHarness.start();
    const infra = { NATS_URL: h.infra.natsUrl, MONGO_URL: h.infra.mongoUrl };
    // The breaker has its own tests: here it stays closed, so every retry reaches the tunnel and the log.
    dispatcher = await startApp(DISPATCHER_APP, {
      ...infra,
      HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      BREAKER_VOLUME_THRESHOLD: '1000',
      BREAKER_CONSECUTIVE_FAILURES: '1000',
      // The OAuth2 token URL is a local server; the dispatcher signs in over plain HTTP to it.
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_HTTP_PORTS: 'any',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    });
    ingest = await startApp(CHANGE_INGEST_APP, { ...infra, HOOKLINE_ADMIN_KEY: ADMIN_KEY });
    matcher = await startApp(MATCHER_APP, { ...infra, HOOKLINE_ADMIN_KEY: ADMIN_KEY });
    // Default key re-check (60 s): a revoked key closing tunnels within the test is the registry's notice.
    gatewayA = await startApp(TUNNEL_GATEWAY_APP, { ...infra, TUNNEL_HEARTBEAT_MS: '400' });
    gatewayB = await startApp(TUNNEL_GATEWAY_APP, { ...infra, TUNNEL_HEARTBEAT_MS: '400' });
    admin = await h.createKey(SUBSCRIPTION);
  });

  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.stop()));
    answerWith(receiver, 200);
    receiver.hold = undefined;
  });

  afterAll(async () => {
    await gatewayB?.close();
    await gatewayA?.close();
    await matcher?.close();
    await ingest?.close();
    await dispatcher?.close();
    await h?.stop();
    await receiver?.stop();
  });

  it('delivers a change to the listener, whose local receiver gets the body and whose status reaches the stats', async () => {
    const { key } = await integrationKey('space-a');
    const l = startListener(gatewayA, 'space-a', key);
    await l.ready();
    const id = await websocketWebhook('space-a');
    answerWith(receiver, 202);

    await change('space-a', 'defect-1');

    const stats = await waitFor(async () => {
      const w = await webhook(id);
      return w.FireCount === 1 && w.LastStatus === 202 && w;
    }, 15_000);
    expect(stats).toMatchObject({ FireCount: 1, ErrorCount: 0, LastStatus: 202 });
    const got = receivedFor(id);
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ rule: { ObjectUUID: id }, message: { object_id: 'defect-1' } });
    // The dispatcher's Standard Webhooks headers arrive as it sent them.
    expect(got[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^Hookline\//),
      'webhook-id': expect.any(String),
      'webhook-signature': expect.stringMatching(/^v1,/),
    });
    await waitFor(() => l.out.length === 1);
    expect(l.out[0]).toMatch(new RegExp(`  webhook ${id}  delivery \\S+  202  \\d+ ms\\n$`));
    expect(await attempts(id)).toMatchObject([{ Attempt: 1, Outcome: 'success', Status: 202 }]);
  });

  it('routes each webhook of one listener to its own local TargetUrl, with the token the dispatcher signed in for', async () => {
    const other = await startLocalReceiver();
    let tokenRequests = 0;
    const tokenEndpoint = createServer((req, res) => {
      tokenRequests++;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"tok-tunnel","expires_in":600}');
    });
    await new Promise<void>((resolve) => tokenEndpoint.listen(0, '127.0.0.1', resolve));
    try {
      const { key } = await integrationKey('space-r');
      // No --forward: each delivery goes to its webhook's own URL on this machine.
      const l = startListener(gatewayA, 'space-r', key, null);
      await l.ready();
      const plain = await websocketWebhook('space-r', {
        Name: 'route to receiver',
        TargetUrl: receiver.url(RECEIVER_PATH),
      });
      const signedIn = await websocketWebhook('space-r', {
        Name: 'route to other, signed in',
        TargetUrl: other.url(RECEIVER_PATH),
        Authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: `http://127.0.0.1:${(tokenEndpoint.address() as AddressInfo).port}/token`,
          ClientId: 'tunnel-client',
          ClientSecret: 'tunnel-secret',
        },
      });

      await change('space-r', 'defect-r');

      await waitFor(() => receivedFor(plain).length === 1 && other.requests.length === 1, 15_000);
      expect(JSON.parse(other.requests[0]!.body)).toMatchObject({ rule: { ObjectUUID: signedIn } });
      expect(other.requests[0]!.headers.authorization).toBe('Bearer tok-tunnel');
      expect(receivedFor(plain)[0]!.headers.authorization).toBeUndefined();
      expect(receivedFor(signedIn)).toHaveLength(0);
      expect(tokenRequests).toBe(1);
    } finally {
      await other.stop();
      await new Promise<void>((resolve) => tokenEndpoint.close(() => resolve()));
    }
  });

  it('refuses keys the registry issued for another role or space, and unknown keys', async () => {
    const readOnly = await h.request('POST', '/api/v2/apikey', {
      key: admin,
      body: { Name: 'reader', Roles: ['read-only'], SharedSpaces: ['space-a'] },
    });
    const { key: otherSpace } = await integrationKey('space-elsewhere');
    const refusals = [
      startListener(gatewayA, 'space-a', readOnly.body.Key as string),
      startListener(gatewayA, 'space-a', otherSpace),
      startListener(gatewayB, 'space-a', 'hk_not_a_key'),
    ];
    await expect(Promise.all(refusals.map((l) => l.exitCode))).resolves.toEqual([2, 2, 2]);
    expect(refusals.map((l) => l.err.at(-1))).toEqual([
      'refused by the gateway (4403 API key needs the integration role); not reconnecting\n',
      'refused by the gateway (4403 API key is not assigned to this shared space); not reconnecting\n',
      'refused by the gateway (4401 unknown or revoked API key); not reconnecting\n',
    ]);
  });

  it('retries while the listener is dead and delivers once it has reconnected', async () => {
    const { key } = await integrationKey('space-kill');
    const proxy = await TcpProxy.start(gatewayA);
    try {
      const l = startListener(proxy, 'space-kill', key);
      await l.ready();
      const id = await websocketWebhook('space-kill');
      let release!: () => void;
      receiver.hold = new Promise<void>((resolve) => (release = resolve));

      await change('space-kill', 'defect-2');
      await waitFor(() => receivedFor(id).length === 1, 15_000);
      // The listener dies mid-delivery and cannot come back for now.
      proxy.mode = 'refuse';
      proxy.cut();
      await waitFor(async () => (await attempts(id)).some((a) => /no listener connected/.test(a.Error ?? '')), 15_000);
      receiver.hold = undefined;
      release();
      proxy.mode = 'pass';

      const stats = await waitFor(async () => {
        const w = await webhook(id);
        return w.LastStatus === 200 && w;
      }, 20_000);
      expect(stats.ErrorCount).toBe(0);
      const log = (await attempts(id)).sort((a, b) => a.Attempt - b.Attempt);
      expect(log[0]).toMatchObject({ Attempt: 1, Outcome: 'retry', Status: 502 });
      expect(log.at(-1)).toMatchObject({ Outcome: 'success', Status: 200 });
      expect(stats.FireCount).toBe(log.length);
      // At least once: the receiver got the body the dead listener never answered for, then the retry.
      const got = receivedFor(id);
      expect(got).toHaveLength(2);
      expect(got[1]!.headers['webhook-id']).toBe(got[0]!.headers['webhook-id']);
      expect(l.err.some((line) => line.startsWith('disconnected'))).toBe(true);
      await l.ready(2);
    } finally {
      await proxy.stop();
    }
  });

  it('delivers through the second gateway when only it holds the listener', async () => {
    const { key } = await integrationKey('space-b');
    const l = startListener(gatewayB, 'space-b', key);
    await l.ready();
    const id = await websocketWebhook('space-b');

    // One change at a time: the FerretDB test fallback loses concurrent $inc on one document.
    for (const [i, objectId] of ['defect-3', 'defect-4', 'defect-5'].entries()) {
      await change('space-b', objectId);
      await waitFor(async () => (await webhook(id)).FireCount === i + 1, 15_000);
    }
    expect(await webhook(id)).toMatchObject({ FireCount: 3, ErrorCount: 0, LastStatus: 200 });
    expect(receivedFor(id)).toHaveLength(3);
    expect((await sessions(gatewayA)).filter((s) => s.SharedSpace === 'space-b')).toEqual([]);
    expect((await sessions(gatewayB)).filter((s) => s.SharedSpace === 'space-b')).toMatchObject([
      { Listeners: [{ Answered: 3, InFlight: 0 }] },
    ]);
  });

  it('closes every tunnel of a key when the registry revokes it, on both gateways, and keeps the others', async () => {
    const revoked = await integrationKey('space-r');
    const { key: kept } = await integrationKey('space-r');
    const onA = startListener(gatewayA, 'space-r', revoked.key);
    const onB = startListener(gatewayB, 'space-r', revoked.key);
    const other = startListener(gatewayA, 'space-r', kept);
    await Promise.all([onA.ready(), onB.ready(), other.ready()]);

    expect((await h.request('DELETE', `/api/v2/apikey/${revoked.id}`, { key: admin })).status).toBe(204);

    await expect(Promise.all([onA.exitCode, onB.exitCode])).resolves.toEqual([2, 2]);
    for (const l of [onA, onB])
      expect(l.err.at(-1)).toBe('refused by the gateway (4401 API key revoked); not reconnecting\n');
    const id = await websocketWebhook('space-r');
    await change('space-r', 'defect-6');
    await waitFor(async () => (await webhook(id)).LastStatus === 200, 15_000);
    expect(other.err.some((line) => line.startsWith('disconnected'))).toBe(false);
  });
});
