import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKeyRepository } from '@hookline/auth';
import { TUNNEL_CLOSE } from '@hookline/contracts';
import { forwardTo, Listener, type ListenerEvent } from '@hookline/listener';
import type { Receiver, RunningApp } from '@hookline/testing';
import { WebSocket } from 'ws';
import {
  answerWith,
  OTHER_TENANT,
  TENANT,
  TcpProxy,
  TunnelHarness,
  openRaw,
  RECEIVER_PATH,
  startLocalReceiver,
  waitFor,
  wsUrl,
} from './tunnel-harness';

/** The CLI's core, pointed at a gateway (or a proxy in front of one), recording what it reports. */
function startListener(
  gatewayUrl: string,
  sharedSpace: string,
  apiKey: string,
  receiver: Receiver,
  initialBackoffMs = 100,
) {
  const events: ListenerEvent[] = [];
  const listener = new Listener(
    { gatewayUrl, sharedSpace, apiKey, backoff: { initialMs: initialBackoffMs, maxMs: 2_000 } },
    forwardTo(receiver.url(RECEIVER_PATH), 5_000),
    (event) => events.push(event),
  );
  listener.start();
  const readyCount = () => events.filter((e) => e.kind === 'ready').length;
  return { listener, events, readyCount, ready: (n = 1) => waitFor(() => readyCount() >= n) };
}

describe('tunnel gateway over real NATS and WebSocket', () => {
  let h: TunnelHarness;
  let a: RunningApp;
  let b: RunningApp;
  let receiver: Receiver;
  let integrationKey: string;
  const listeners: Listener[] = [];

  const track = <T extends { listener: Listener }>(started: T): T => {
    listeners.push(started.listener);
    return started;
  };

  const sessions = async (gateway: RunningApp, key: string) => {
    const res = await fetch(`${gateway.baseUrl}/api/v2/sessions`, { headers: { authorization: `Bearer ${key}` } });
    return {
      status: res.status,
      body: (await res.json()) as { Results: { SharedSpace: string; Listeners: unknown[] }[] },
    };
  };

  beforeAll(async () => {
    h = await TunnelHarness.start();
    a = await h.startGateway();
    b = await h.startGateway();
    receiver = await startLocalReceiver();
    integrationKey = await h.createKey(['integration'], ['space-1', 'space-2', 'space-3', 'space-4', 'space-5']);
  });

  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.stop()));
    answerWith(receiver, 200);
    receiver.hold = undefined;
  });

  afterAll(async () => {
    await receiver?.stop();
    await h?.stop();
  });

  it('carries a dispatcher request to the local receiver and its status back', async () => {
    const l = track(startListener(a.baseUrl, 'space-1', integrationKey, receiver));
    await l.ready();
    answerWith(receiver, 201);
    const before = receiver.requests.length;

    const reply = await h.deliver('space-1', { id: 'd-first', webhookId: 'wh-42' });

    expect(reply).toMatchObject({
      id: 'd-first',
      status: 201,
      body: 'receiver says 201',
      headers: { 'content-type': 'text/plain' },
    });
    const got = receiver.requests.slice(before);
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body)).toEqual({ rule: 'r', message: { action: 'Created', object_id: 'o-1' } });
    expect(got[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-hookline-signature': 'v1,test' });
    await waitFor(() => l.events.some((e) => e.kind === 'delivery' && e.webhookId === 'wh-42' && e.status === 201));
  });

  it('refuses a wrong key, role or space with a close code and reason, and admits the right ones', async () => {
    const readOnly = await h.createKey(['read-only'], ['space-1']);
    const admin = await h.createKey(['admin']);
    const otherTenantAdmin = await h.createKey(['admin'], [], OTHER_TENANT);
    const url = wsUrl(a, 'space-1');
    const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

    await expect(openRaw(url, bearer('hk_not_a_key'))).resolves.toMatchObject({
      kind: 'closed',
      code: TUNNEL_CLOSE.unauthenticated,
      reason: 'unknown or revoked API key',
    });
    await expect(openRaw(url)).resolves.toMatchObject({
      kind: 'closed',
      code: TUNNEL_CLOSE.unauthenticated,
      reason: 'no API key within 1000 ms',
    });
    await expect(openRaw(url, bearer(readOnly))).resolves.toMatchObject({
      kind: 'closed',
      code: TUNNEL_CLOSE.forbidden,
      reason: 'API key needs the integration role',
    });
    await expect(openRaw(wsUrl(a, 'not-mine'), bearer(integrationKey))).resolves.toMatchObject({
      kind: 'closed',
      code: TUNNEL_CLOSE.forbidden,
      reason: 'API key is not assigned to this shared space',
    });
    await expect(openRaw(url, {}, { type: 'hello' })).resolves.toMatchObject({
      kind: 'closed',
      code: TUNNEL_CLOSE.protocolError,
    });

    const admitted = [
      await openRaw(wsUrl(a, 'any-space'), bearer(admin)),
      await openRaw(url, { headers: { cookie: `ZSESSIONID=${integrationKey}` } }),
      await openRaw(url, {}, { type: 'auth', key: integrationKey }),
    ];
    for (const outcome of admitted) {
      expect(outcome).toMatchObject({ kind: 'ready', frame: { type: 'ready', maxInFlight: 2, heartbeatMs: 400 } });
      if (outcome.kind === 'ready') outcome.ws.close();
    }
    // An admin of another subscription opens a space of the same name, but only for its own tenant.
    const foreign = await openRaw(wsUrl(a, 'space-2'), bearer(otherTenantAdmin));
    expect(foreign.kind).toBe('ready');
    expect(await h.deliveryFailure('space-2')).toBe('no-responders');
    if (foreign.kind === 'ready') foreign.ws.close();

    const elsewhere = new WebSocket(wsUrl(a, 'space-1').replace('/webhooks', '/other'));
    const refusal = await new Promise<string>((resolve) => elsewhere.on('error', (error) => resolve(error.message)));
    expect(refusal).toBe('Unexpected server response: 404');
  });

  it('fails fast with no responders while the listener is gone, and delivers after it reconnects with backoff', async () => {
    const proxy = await TcpProxy.start(a);
    try {
      const l = track(startListener(proxy.baseUrl, 'space-3', integrationKey, receiver, 300));
      await l.ready();
      expect((await h.deliver('space-3')).status).toBe(200);

      proxy.mode = 'refuse';
      proxy.cut();
      await waitFor(async () => (await h.deliveryFailure('space-3')) === 'no-responders');
      const started = Date.now();
      expect(await h.deliveryFailure('space-3')).toBe('no-responders');
      expect(Date.now() - started).toBeLessThan(1_500);
      // Refused reconnects back off: each wait is at least half of a doubling ceiling.
      await waitFor(() => l.events.filter((e) => e.kind === 'disconnected').length >= 3);
      const waits = l.events.flatMap((e) => (e.kind === 'disconnected' ? [e.retryInMs] : []));
      expect(waits[2]!).toBeGreaterThanOrEqual(600);

      proxy.mode = 'pass';
      await l.ready(2);
      expect((await h.deliver('space-3')).status).toBe(200);
    } finally {
      await proxy.stop();
    }
  });

  it('answers from the instance that holds the listener when there are two gateways', async () => {
    const l = track(startListener(b.baseUrl, 'space-4', integrationKey, receiver));
    await l.ready();
    for (let i = 0; i < 4; i++) expect((await h.deliver('space-4', { id: `d-b-${i}` })).status).toBe(200);
    const admin = await h.createKey(['admin']);
    expect((await sessions(a, admin)).body.Results).toEqual([]);
    expect((await sessions(b, admin)).body.Results).toMatchObject([
      { SharedSpace: 'space-4', Listeners: [{ InFlight: 0, Answered: 4 }] },
    ]);
  });

  it('shares the load between two listeners of one space, with at most N unanswered per listener', async () => {
    const second = await startLocalReceiver();
    try {
      const l1 = track(startListener(a.baseUrl, 'space-5', integrationKey, receiver));
      const l2 = track(startListener(a.baseUrl, 'space-5', integrationKey, second));
      await l1.ready();
      await l2.ready();
      const before = receiver.requests.length;
      for (let i = 0; i < 6; i++) await h.deliver('space-5');
      expect(receiver.requests.length - before).toBe(3);
      expect(second.requests).toHaveLength(3);

      // Both receivers stall: 2 listeners x 2 in flight are taken, the fifth is turned away at once.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      receiver.hold = held;
      second.hold = held;
      const inFlight = [1, 2, 3, 4].map((i) => h.deliver('space-5', { id: `held-${i}` }));
      await waitFor(() => receiver.requests.length - before + second.requests.length >= 10);
      const busy = await h.deliver('space-5', { id: 'one-too-many' });
      expect(busy).toMatchObject({ id: 'one-too-many', status: 503, headers: { 'retry-after': '1' } });
      release();
      expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    } finally {
      await second.stop();
    }
  });

  it('drops a connection whose peer stopped answering pings, on both ends', async () => {
    const silent = await openRaw(wsUrl(a, 'space-1'), {
      headers: { authorization: `Bearer ${integrationKey}` },
      autoPong: false,
    });
    expect(silent.kind).toBe('ready');
    const closed = new Promise<number>((resolve) =>
      (silent as { ws: WebSocket }).ws.on('close', (code) => resolve(code)),
    );
    const admin = await h.createKey(['admin']);
    expect((await sessions(a, admin)).body.Results).toHaveLength(1);
    // Heartbeat every 400 ms: gone within two beats, well inside the wait.
    expect(await closed).toBe(1006);
    await waitFor(async () => (await sessions(a, admin)).body.Results.length === 0, 5_000);
    // The session list empties as the socket closes; the NATS unsubscribe reaches the server a moment later.
    await waitFor(async () => (await h.deliveryFailure('space-1')) === 'no-responders', 5_000);

    // A path that goes silent without closing: the gateway drops its end, the listener its own and reconnects.
    const proxy = await TcpProxy.start(a);
    try {
      const l = track(startListener(proxy.baseUrl, 'space-1', integrationKey, receiver));
      await l.ready();
      proxy.freeze();
      await l.ready(2);
      expect(l.events.some((e) => e.kind === 'disconnected')).toBe(true);
      expect((await h.deliver('space-1')).status).toBe(200);
    } finally {
      await proxy.stop();
    }
  });

  it('closes the tunnels of a key revoked without notice at the next key re-check, and only those', async () => {
    const checking = await h.startGateway({ TUNNEL_KEY_RECHECK_MS: '300' });
    const doomedKey = await h.createKey(['integration'], ['space-6']);
    const keptKey = await h.createKey(['integration'], ['space-6']);
    const doomed = track(startListener(checking.baseUrl, 'space-6', doomedKey, receiver));
    const kept = track(startListener(checking.baseUrl, 'space-6', keptKey, receiver));
    await doomed.ready();
    await kept.ready();
    const keys = checking.app.get(ApiKeyRepository);
    const { keyId } = (await keys.authenticate(doomedKey))!;

    // Straight in the database: no registry, so no revocation notice; only the re-check can find it.
    expect(await keys.revoke(TENANT, keyId)).toBe(true);

    await expect(doomed.listener.exited).resolves.toEqual({
      kind: 'fatal',
      code: TUNNEL_CLOSE.unauthenticated,
      reason: 'API key revoked',
    });
    for (let i = 0; i < 3; i++) expect((await h.deliver('space-6')).status).toBe(200);
    expect(kept.events.filter((e) => e.kind === 'disconnected')).toEqual([]);
  });

  it('serves wss itself with TUNNEL_TLS_CERT and TUNNEL_TLS_KEY', async () => {
    const tls = join(__dirname, 'tls');
    const secure = await h.startGateway({
      TUNNEL_TLS_CERT: join(tls, 'cert.pem'),
      TUNNEL_TLS_KEY: join(tls, 'key.pem'),
    });
    expect(secure.baseUrl).toMatch(/^https:/);
    const url = wsUrl(secure, 'space-1');
    expect(url).toMatch(/^wss:/);
    const auth = { headers: { authorization: `Bearer ${integrationKey}` } };

    // The test certificate is self-signed: trusted here by naming it, as a listener host would its CA.
    const opened = await openRaw(url, { ...auth, ca: readFileSync(join(tls, 'cert.pem')) });
    if (opened.kind !== 'ready') throw new Error(`wss refused: ${opened.code} ${opened.reason}`);
    opened.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id: string };
      if (frame.type === 'delivery') opened.ws.send(JSON.stringify({ type: 'reply', id: frame.id, status: 204 }));
    });
    try {
      await expect(h.deliver('space-1', { id: 'd-wss' })).resolves.toEqual({ id: 'd-wss', status: 204 });
      const untrusted = new WebSocket(url, auth);
      const refusal = await new Promise<string>((resolve) => untrusted.on('error', (error) => resolve(error.message)));
      expect(refusal).toMatch(/^self-signed certificate/);
    } finally {
      opened.ws.close();
    }
  });

  it('lists live listeners per space for admins only', async () => {
    const l = track(startListener(a.baseUrl, 'space-2', integrationKey, receiver));
    await l.ready();
    const admin = await h.createKey(['admin']);
    const otherAdmin = await h.createKey(['admin'], [], OTHER_TENANT);
    const listed = await sessions(a, admin);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({
      TotalResultCount: 1,
      Results: [
        { SharedSpace: 'space-2', Listeners: [{ RemoteAddress: expect.stringContaining('127.0.0.1'), InFlight: 0 }] },
      ],
    });
    expect((await sessions(a, otherAdmin)).body.Results).toEqual([]);
    expect((await sessions(a, integrationKey)).status).toBe(403);
    expect((await fetch(`${a.baseUrl}/api/v2/sessions`)).status).toBe(401);
  });
});
