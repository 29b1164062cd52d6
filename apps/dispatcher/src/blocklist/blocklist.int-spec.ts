import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { getConnectionToken } from '@nestjs/mongoose';
import { blockedUrlId } from './blocked-url.schema';
import type { Connection } from 'mongoose';
import { Receiver } from '@hookline/testing';
import { DispatcherHarness, job, LOCAL_ENV, sleep, spec, waitFor } from '../../test/dispatcher-harness';

describe('dispatcher abuse blocklist (shared through MongoDB blocked_urls)', () => {
  let h: DispatcherHarness;
  let admin: string;
  const receivers: Receiver[] = [];
  const servers: Server[] = [];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    h = await DispatcherHarness.start({
      ...LOCAL_ENV,
      BLOCK_STRIKES: '2',
      // Answers from 500 ms on (half the 1000 ms deadline) count as slow.
      BLOCK_SLOW_PERCENT: '50',
      BLOCK_COOLOFF_MS: '60000',
      BLOCKLIST_REFRESH_MS: '200',
      HOLD_RECHECK_MS: '300',
    });
    admin = await h.createKey(100, ['admin']);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await Promise.all(receivers.map((r) => r.stop()));
    await h?.stop();
  });

  const blockedUrls = () => h.dispatcher.app.get<Connection>(getConnectionToken()).collection('blocked_urls');

  it('blocks a URL that keeps answering slowly, holds its jobs with the reason, and delivers them once an admin unblocks it', async () => {
    const slow = await Receiver.start({ respond: (res) => setTimeout(() => res.end('late'), 600) });
    receivers.push(slow);
    const s = spec(slow.url());
    for (let i = 0; i < 2; i++) {
      const j = job(s);
      await h.publish(j);
      expect(await h.settled(j.deliveryId)).toEqual([expect.objectContaining({ kind: 'success', attempt: 1 })]);
    }
    const stored = await blockedUrls().findOne({ _id: blockedUrlId(100, slow.url()) as never });
    expect(stored).toMatchObject({
      SubscriptionID: 100,
      Url: slow.url(),
      Reason: '2 slow answers in a row',
      Count: 1,
      Until: expect.any(Date),
      BlockedAt: expect.any(Date),
    });
    expect(stored!.Until.getTime() - stored!.BlockedAt.getTime()).toBe(60_000);

    const held = job(s);
    await h.publish(held);
    await waitFor(() => h.outcomesOf(held.deliveryId).length > 0);
    expect(h.outcomesOf(held.deliveryId)).toEqual([
      expect.objectContaining({
        kind: 'held',
        attempt: 1,
        errorKind: 'url-blocked',
        error: 'URL blocked: 2 slow answers in a row',
      }),
    ]);
    // Held again on every recheck, but reported once and never sent.
    await sleep(800);
    expect(slow.requests).toHaveLength(2);
    expect(h.outcomesOf(held.deliveryId)).toHaveLength(1);

    // Held jobs are parked until the block is lifted, visible per webhook.
    const queues = await h.request('GET', '/api/v2/deliveries/webhooks', admin);
    expect(queues.body.Results).toContainEqual({ WebhookID: held.webhookId, Queued: 0, Parked: 1, InFlight: 0 });

    const list = await h.request('GET', '/api/v2/blocklist', admin);
    expect(list.body).toEqual({
      TotalResultCount: 1,
      PageSize: 20,
      StartIndex: 1,
      Results: [
        expect.objectContaining({
          ID: blockedUrlId(100, slow.url()),
          Url: slow.url(),
          Reason: '2 slow answers in a row',
          Count: 1,
        }),
      ],
    });
    expect((await h.request('GET', '/api/v2/blocklist?pagesize=0', admin)).body).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'pagesize' })],
    });
    expect((await h.request('GET', '/api/v2/blocklist', await h.createKey(100, ['read-only']))).status).toBe(403);
    expect((await h.request('GET', '/api/v2/blocklist', await h.createKey(200, ['admin']))).body.TotalResultCount).toBe(
      0,
    );
    expect(
      (
        await h.request(
          'DELETE',
          `/api/v2/blocklist/${encodeURIComponent(blockedUrlId(100, 'https://never.example.com/'))}`,
          admin,
        )
      ).status,
    ).toBe(404);
    const other = await h.createKey(200, ['admin']);
    expect(
      (await h.request('DELETE', `/api/v2/blocklist/${encodeURIComponent(list.body.Results[0].ID)}`, other)).status,
    ).toBe(404);

    expect(
      (await h.request('DELETE', `/api/v2/blocklist/${encodeURIComponent(list.body.Results[0].ID)}`, admin)).status,
    ).toBe(204);
    const outcomes = await h.settled(held.deliveryId);
    // The hold was not an attempt: the delivery goes out as attempt 1.
    expect(outcomes.at(-1)).toMatchObject({ kind: 'success', attempt: 1 });
    expect(await blockedUrls().countDocuments({})).toBe(0);
  });

  it('blocks a URL that answers with invalid HTTP', async () => {
    const garbage = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.once('data', () => socket.end('HELLO THIS IS NOT HTTP\r\n\r\n'));
    });
    servers.push(garbage);
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/hook`;
    for (let i = 0; i < 2; i++) {
      const j = job(spec(url));
      await h.publish(j);
      expect(await h.settled(j.deliveryId)).toEqual([
        expect.objectContaining({ kind: 'failed', attempt: 1, errorKind: 'invalid-http' }),
      ]);
    }
    const held = job(spec(url));
    await h.publish(held);
    await waitFor(() => h.outcomesOf(held.deliveryId).length > 0);
    expect(h.outcomesOf(held.deliveryId)[0]).toMatchObject({
      kind: 'held',
      errorKind: 'url-blocked',
      error: 'URL blocked: 2 invalid HTTP answers in a row',
    });
  });

  it('honours a block written by another instance', async () => {
    const r = await Receiver.start({ respond: (res) => res.end() });
    receivers.push(r);
    await blockedUrls().insertOne({
      _id: blockedUrlId(100, r.url()) as never,
      SubscriptionID: 100,
      Url: r.url(),
      WebhookID: null,
      Reason: 'blocked elsewhere',
      BlockedAt: new Date(),
      Until: new Date(Date.now() + 60_000),
      Count: 1,
    });
    await sleep(400);
    const j = job(spec(r.url()));
    await h.publish(j);
    await waitFor(() => h.outcomesOf(j.deliveryId).length > 0);
    expect(h.outcomesOf(j.deliveryId)[0]).toMatchObject({
      kind: 'held',
      errorKind: 'url-blocked',
      error: 'URL blocked: blocked elsewhere',
    });
    expect(r.connections).toBe(0);
  });
});

describe('an admin unblock takes effect at once on every dispatcher instance, held jobs included', () => {
  let h: DispatcherHarness;
  let admin: string;
  let receiver: Receiver;

  beforeAll(async () => {
    // A re-read and a recheck far beyond the test: only the unblock notice can lift the block on the
    // other instance, and only the unblock can bring the held job back within the test.
    h = await DispatcherHarness.start({ ...LOCAL_ENV, BLOCKLIST_REFRESH_MS: '600000', HOLD_RECHECK_MS: '600000' });
    admin = await h.createKey(100, ['admin']);
    receiver = await Receiver.start({ respond: (res) => res.end('ok') });
  });

  afterAll(async () => {
    await receiver?.stop();
    await h?.stop();
  });

  it('block, unblock on one instance: the job held before and the very next one go out through the other', async () => {
    await h.dispatcher.app
      .get<Connection>(getConnectionToken())
      .collection('blocked_urls')
      .insertOne({
        _id: blockedUrlId(100, receiver.url()) as never,
        SubscriptionID: 100,
        Url: receiver.url(),
        WebhookID: null,
        Reason: 'blocked by an operator',
        BlockedAt: new Date(),
        Until: null,
        Count: 1,
      });
    // Both instances read the block as they start.
    await h.restart();
    const other = await h.startAnother();
    const held = job(spec(receiver.url()));
    await h.publish(held);
    await waitFor(() => h.outcomesOf(held.deliveryId).some((o) => o.kind === 'held'));

    const id = encodeURIComponent(blockedUrlId(100, receiver.url()));
    const unblocked = await fetch(`${other.baseUrl}/api/v2/blocklist/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(unblocked.status).toBe(204);
    // Only the instance that did not serve the unblock is left to take the next job.
    await other.close();
    const next = job(spec(receiver.url()));
    await h.publish(next);
    expect(await h.settled(next.deliveryId, 5_000)).toEqual([expect.objectContaining({ kind: 'success', attempt: 1 })]);
    // The job held before the unblock goes out within seconds too, once (not at a recheck minutes away).
    expect((await h.settled(held.deliveryId, 5_000)).at(-1)).toMatchObject({ kind: 'success', attempt: 1 });
    await sleep(1_500);
    expect(h.outcomesOf(held.deliveryId).filter((o) => o.kind === 'success')).toHaveLength(1);
    expect(receiver.requests).toHaveLength(2);
  });
});
