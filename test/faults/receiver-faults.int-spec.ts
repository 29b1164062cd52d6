import { Receiver, waitFor, type ReceiverBehaviour } from '@hookline/testing';
import {
  expectNothingLost,
  FAULT_CHANGES,
  report,
  runLoad,
  settle,
  sleep,
  startFaultLoad,
  tally,
  useFaultStack,
} from './fault-load';

/**
 * Receivers misbehave mid-load: 5xx, hanging until the dispatcher's timeout (2 s here), resetting
 * connections, and 410 Gone. Each misbehaving receiver is a server (an origin) of its own, so one
 * scenario's open breaker or blocked URL does not reach the next. Every acknowledged change still
 * arrives once the receiver recovers; 410 deletes the webhook and nothing more goes to it.
 */
describe('faults: receivers answering 5xx, hanging, resetting, 410', () => {
  const suite = useFaultStack(303);
  const receivers: Receiver[] = [];

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
  });

  const receiver = async (): Promise<Receiver> => {
    const started = await Receiver.start();
    receivers.push(started);
    return started;
  };

  /** Every webhook's receiver misbehaves from 1 s into the load for `forMs`, then answers 200 again. */
  const misbehave = async (label: string, behaviour: ReceiverBehaviour, forMs: number) => {
    const { e2e, tenant } = suite;
    const target = await receiver();
    const { webhooks, loading } = await startFaultLoad(e2e, tenant, target, label);
    await sleep(1_000);
    for (const w of webhooks) target.behave(w.path, behaviour);
    await sleep(forMs);
    for (const w of webhooks) target.behave(w.path, undefined);
    const recovered = Date.now();
    const load = await loading;
    const counted = await settle(target, load, webhooks, 75_000);
    return { load, counted, recovered };
  };

  it('410 Gone: the webhook is deleted and receives nothing more', async () => {
    const { e2e, tenant } = suite;
    const label = 'gone';
    const target = await receiver();
    const { webhooks, loading } = await startFaultLoad(e2e, tenant, target, label);
    const [gone, ...kept] = webhooks;
    await sleep(1_000);
    target.behave(gone.path, 410);
    await waitFor(
      async () => (await tenant.registry.request('GET', `/api/v2/webhook/${gone.id}`)).status === 404,
      // The registry deletes it when it reaches the 410's outcome in OUTCOMES.
      60_000,
      200,
    );
    const load = await loading;
    const counted = await settle(target, load, kept, 75_000);
    const goneRequests = (): number => target.at(gone.path).length;
    const answered410 = target.at(gone.path).filter((r) => r.status === 410).length;
    // After the deletion nothing more goes to it, neither queued jobs nor jobs of new changes.
    const before = goneRequests();
    const more = await runLoad(e2e.stack.url('change-ingest'), tenant.key, {
      label,
      changes: 50,
      perSecond: 50,
      firstId: FAULT_CHANGES,
    });
    const all = { ...load, acked: [...load.acked, ...more.acked] };
    const final = await settle(target, all, kept, 30_000, 2_000);
    const after = goneRequests() - before;
    const goneTally = tally(target.requests, load.acked, [gone]);
    report(
      'receiver answers 410',
      load,
      counted,
      `the 410 webhook: ${goneTally.delivered} delivered before its first 410, ${answered410} answered 410 ` +
        `(in flight together), deleted, ${after} requests after its deletion; ` +
        `${more.acked.length} further changes reached the other ${kept.length} webhooks ${final.delivered - counted.delivered} times`,
    );
    expectNothingLost(load, counted, FAULT_CHANGES);
    expect(final.lost).toEqual([]);
    expect(after).toBe(0);
  }, 150_000);
  it('5xx, then recovering', async () => {
    const { load, counted, recovered } = await misbehave('answers-503', 503, 4_000);
    report('receivers answer 503 for 4 s', load, counted, '', recovered);
    expectNothingLost(load, counted, FAULT_CHANGES);
  }, 120_000);

  it('hanging past the request timeout, then recovering', async () => {
    const { load, counted, recovered } = await misbehave('hangs', 'hang', 4_000);
    report('receivers hang for 4 s (2 s request timeout)', load, counted, '', recovered);
    expectNothingLost(load, counted, FAULT_CHANGES);
  }, 120_000);

  it('resetting connections, then recovering', async () => {
    const { load, counted, recovered } = await misbehave('resets', 'reset', 4_000);
    report('receivers reset connections for 4 s', load, counted, '', recovered);
    expectNothingLost(load, counted, FAULT_CHANGES);
  }, 120_000);
});
