import {
  expectNothingLost,
  FAULT_CHANGES,
  report,
  settle,
  settledFireCounts,
  sleep,
  startFaultLoad,
  useFaultStack,
} from './fault-load';

/**
 * The two servers everything stands on go away mid-load: nats-server is restarted (same port, same
 * JetStream store) and the MongoDB-wire server is stopped for 10 s. Nothing acknowledged is lost;
 * the registry answers 503 while its database is gone and its stats catch up afterwards.
 */
describe('faults: nats-server and MongoDB outages mid-load', () => {
  const suite = useFaultStack(302, { privateMongo: true });

  it('restart nats-server mid-load', async () => {
    const { e2e, tenant } = suite;
    const label = 'nats-restart';
    const { webhooks, loading } = await startFaultLoad(e2e, tenant, e2e.receiver, label);
    await sleep(2_000);
    await e2e.stack.restartNats(2_000);
    const restarted = Date.now();
    const load = await loading;
    // Jobs a consumer held when the server went away come back after its ack wait (15 s).
    const counted = await settle(e2e.receiver, load, webhooks, 100_000);
    report('nats-server restart (down 2 s)', load, counted, '', restarted);
    expectNothingLost(load, counted, FAULT_CHANGES);
  }, 150_000);

  it('stop the MongoDB-wire server for 10 s mid-load', async () => {
    const { e2e, tenant } = suite;
    const label = 'mongo-stop';
    const { webhooks, loading } = await startFaultLoad(e2e, tenant, e2e.receiver, label);
    await sleep(2_000);
    await e2e.stack.stopMongo();
    const stoppedAt = Date.now();
    // While the database is gone the registry says so: 503, not a hang or a 500.
    const during: number[] = [];
    while (Date.now() - stoppedAt < 9_000) {
      const started = Date.now();
      const reply = await tenant.registry.request('GET', `/api/v2/webhook/${webhooks[0].id}`).catch(() => undefined);
      during.push(reply?.status ?? 0);
      await sleep(Math.max(0, 1_000 - (Date.now() - started)));
    }
    await sleep(Math.max(0, 10_000 - (Date.now() - stoppedAt)));
    await e2e.stack.startMongo();
    const restarted = Date.now();
    const load = await loading;
    const counted = await settle(e2e.receiver, load, webhooks, 90_000);
    const { counts, attempts } = await settledFireCounts(tenant.registry, e2e.receiver, webhooks);
    report(
      'MongoDB stopped 10 s',
      load,
      counted,
      `registry answered ${summarise(during)} meanwhile; FireCount per webhook ${counts.join('/')} (attempts at the receivers ${attempts.join('/')})`,
      restarted,
    );
    expectNothingLost(load, counted, FAULT_CHANGES);
    expect(during.filter((status) => status !== 503)).toEqual([]);
    // Every attempt counted once: a repeat of a delivery is an attempt too.
    expect(counts).toEqual(attempts);
  }, 180_000);
});

function summarise(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n}× ${status || 'no answer'}`).join(', ');
}
