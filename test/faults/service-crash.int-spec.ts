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
 * Each pipeline service is killed with SIGKILL in the middle of a steady load and started again:
 * every change ingest acknowledged still reaches every matching webhook, a repeat only under the
 * delivery's own `webhook-id`. Catching up takes as long as the consumers' ack wait (15 s), after
 * which JetStream hands the dead process's messages out again.
 */
describe('faults: kill -9 and restart each service mid-load', () => {
  const suite = useFaultStack(301);

  /** Load on fresh webhooks, the service killed 2 s in and started again at once, then the count. */
  const crash = async (service: string, catchUpMs: number) => {
    const { e2e, tenant } = suite;
    const label = `kill-${service}`;
    const { webhooks, loading } = await startFaultLoad(e2e, tenant, e2e.receiver, label);
    await sleep(2_000);
    await e2e.stack.restartService(service, 'SIGKILL');
    const restarted = Date.now();
    const load = await loading;
    const counted = await settle(e2e.receiver, load, webhooks, catchUpMs);
    return { label, webhooks, load, counted, restarted };
  };

  it('registry, whose stats still count each attempt once', async () => {
    const { e2e, tenant } = suite;
    const { load, counted, webhooks, restarted } = await crash('registry', 30_000);
    // Outcomes the dead registry had taken come back after the consumer's 15 s ack wait.
    const { counts, attempts } = await settledFireCounts(tenant.registry, e2e.receiver, webhooks);
    report(
      'kill -9 registry',
      load,
      counted,
      `FireCount per webhook ${counts.join('/')} (attempts at the receivers ${attempts.join('/')})`,
      restarted,
    );
    expectNothingLost(load, counted, FAULT_CHANGES);
    // Every attempt counted once: a repeat of a delivery is an attempt too.
    expect(counts).toEqual(attempts);
  }, 150_000);

  it('change-ingest', async () => {
    const { load, counted, restarted } = await crash('change-ingest', 30_000);
    report('kill -9 change-ingest', load, counted, '', restarted);
    expectNothingLost(load, counted, FAULT_CHANGES);
  }, 90_000);

  it('matcher', async () => {
    const { load, counted, restarted } = await crash('matcher', 75_000);
    report('kill -9 matcher', load, counted, '', restarted);
    expectNothingLost(load, counted, FAULT_CHANGES);
  }, 120_000);

  it('dispatcher', async () => {
    const { load, counted, restarted } = await crash('dispatcher', 100_000);
    report('kill -9 dispatcher', load, counted, '', restarted);
    expectNothingLost(load, counted, FAULT_CHANGES);
  }, 150_000);
});
