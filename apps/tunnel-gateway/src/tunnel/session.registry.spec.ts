import type { GatewayFrame, TunnelDeliveryRequest } from '@hookline/contracts';
import { ListenerSession } from './listener-session';
import { SessionRegistry } from './session.registry';
import { SpaceSubscriptions, type DeliveryHandler, type SpaceSubscription } from './space-subscriptions';

/** Stands in for NATS: records which spaces are subscribed and lets the test play the dispatcher. */
class FakeSubscriptions extends SpaceSubscriptions {
  readonly subscribed = new Map<string, DeliveryHandler>();
  opened = 0;

  open(tenant: string, sharedSpace: string, handle: DeliveryHandler): SpaceSubscription {
    const key = `${tenant}/${sharedSpace}`;
    this.opened += 1;
    this.subscribed.set(key, handle);
    return { ready: Promise.resolve(), close: () => this.subscribed.delete(key) };
  }

  request(tenant: string, sharedSpace: string, request: TunnelDeliveryRequest) {
    const handle = this.subscribed.get(`${tenant}/${sharedSpace}`);
    if (!handle) throw new Error('no responders');
    return handle(request);
  }
}

class FakeLink {
  readonly sent: GatewayFrame[] = [];
  open = true;
  send(frame: GatewayFrame): boolean {
    if (this.open) this.sent.push(frame);
    return this.open;
  }
  close(): void {
    this.open = false;
  }
}

const request = (id: string): TunnelDeliveryRequest => ({
  id,
  webhookId: 'wh-1',
  headers: { 'content-type': 'application/json' },
  body: '{}',
});

function listener(space = 'space-1', limits = { maxInFlight: 2, replyTimeoutMs: 60_000 }) {
  const link = new FakeLink();
  const session = new ListenerSession(
    { subscriptionId: 7, tenant: '7', sharedSpace: space, keyId: 'k', remoteAddress: '127.0.0.1' },
    link,
    limits,
  );
  return { link, session };
}

describe('SessionRegistry', () => {
  let subs: FakeSubscriptions;
  let registry: SessionRegistry;

  beforeEach(() => {
    subs = new FakeSubscriptions();
    registry = new SessionRegistry(subs);
  });

  it('subscribes a space only while it has a listener', async () => {
    const a = listener();
    const b = listener();
    expect(() => subs.request('7', 'space-1', request('d-0'))).toThrow('no responders');
    await registry.attach(a.session);
    await registry.attach(b.session);
    expect(subs.opened).toBe(1);
    registry.detach(a.session);
    expect(subs.subscribed.has('7/space-1')).toBe(true);
    registry.detach(b.session);
    expect(subs.subscribed.has('7/space-1')).toBe(false);
  });

  it('forwards a delivery frame and answers with the listener reply', async () => {
    const a = listener();
    await registry.attach(a.session);
    const pending = subs.request('7', 'space-1', request('d-1'));
    expect(a.link.sent).toEqual([{ type: 'delivery', ...request('d-1') }]);
    expect(a.session.settle({ id: 'd-1', status: 204 })).toBe(true);
    await expect(pending).resolves.toEqual({ id: 'd-1', status: 204 });
    expect(a.session.summary()).toMatchObject({ inFlight: 0, answered: 1, failed: 0 });
  });

  it('shares deliveries round-robin and skips a listener at its in-flight limit', async () => {
    const a = listener();
    const b = listener();
    await registry.attach(a.session);
    await registry.attach(b.session);
    const replies = ['d-1', 'd-2', 'd-3', 'd-4'].map((id) => subs.request('7', 'space-1', request(id)));
    expect(a.link.sent.map((f) => (f.type === 'delivery' ? f.id : f.type))).toEqual(['d-1', 'd-3']);
    expect(b.link.sent.map((f) => (f.type === 'delivery' ? f.id : f.type))).toEqual(['d-2', 'd-4']);
    // Both are at their limit of 2: the fifth is refused at once, retryably.
    await expect(subs.request('7', 'space-1', request('d-5'))).resolves.toMatchObject({ id: 'd-5', status: 503 });
    a.session.settle({ id: 'd-1', status: 200 });
    const sixth = subs.request('7', 'space-1', request('d-6'));
    expect(a.link.sent.map((f) => (f.type === 'delivery' ? f.id : f.type))).toEqual(['d-1', 'd-3', 'd-6']);
    for (const id of ['d-3', 'd-6']) a.session.settle({ id, status: 200 });
    for (const id of ['d-2', 'd-4']) b.session.settle({ id, status: 200 });
    await expect(Promise.all([...replies, sixth])).resolves.toHaveLength(5);
  });

  it('fails unanswered deliveries with 502 when the listener leaves', async () => {
    const a = listener();
    await registry.attach(a.session);
    const pending = subs.request('7', 'space-1', request('d-1'));
    registry.detach(a.session);
    await expect(pending).resolves.toMatchObject({ id: 'd-1', status: 502 });
    expect(a.session.summary()).toMatchObject({ failed: 1, answered: 0 });
  });

  it('keeps tenants and spaces apart in listings', async () => {
    await registry.attach(listener('b').session);
    await registry.attach(listener('a').session);
    expect(registry.list('7').map((s) => [s.sharedSpace, s.listeners.length])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(registry.list('8')).toEqual([]);
  });
});

describe('ListenerSession', () => {
  it('answers 504 and frees the slot when the listener stays silent past the reply timeout', async () => {
    const a = listener('s', { maxInFlight: 1, replyTimeoutMs: 50 });
    const reply = a.session.deliver(request('d-1'));
    expect(a.session.saturated).toBe(true);
    await expect(reply).resolves.toMatchObject({ id: 'd-1', status: 504 });
    expect(a.session.saturated).toBe(false);
    expect(a.session.settle({ id: 'd-1', status: 200 })).toBe(false);
  });

  it('answers 502 at once when the connection is already closed', async () => {
    const a = listener();
    a.link.open = false;
    await expect(a.session.deliver(request('d-1'))).resolves.toMatchObject({ status: 502 });
    expect(a.session.inFlight).toBe(0);
  });

  it('lets a repeated delivery id supersede the earlier attempt', async () => {
    const a = listener();
    const first = a.session.deliver(request('d-1'));
    const second = a.session.deliver(request('d-1'));
    await expect(first).resolves.toMatchObject({ status: 504 });
    a.session.settle({ id: 'd-1', status: 200 });
    await expect(second).resolves.toEqual({ id: 'd-1', status: 200 });
    expect(a.session.inFlight).toBe(0);
  });
});
