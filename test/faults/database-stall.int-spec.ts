import { metricSamples } from '@hookline/testing';
import {
  describeProbes,
  expectNothingLost,
  expectPromptRefusals,
  FAULT_CHANGES,
  report,
  settle,
  settledFireCounts,
  sleep,
  stall,
  STALL_MS,
  startFaultLoad,
  useFaultStack,
  waitUntilReady,
} from './fault-load';

/**
 * The MongoDB-wire server stops answering mid-load (SIGSTOP: its sockets stay open, new connections
 * are accepted, nothing is answered) and then goes on (SIGCONT). Every database call has a deadline,
 * so requests get a 503 with Retry-After within seconds, readiness names the database, JetStream
 * handlers nak rather than ack or hang, and everything resumes by itself with nothing lost.
 */
describe('faults: the database stalls mid-load', () => {
  const suite = useFaultStack(303, { privateMongo: true });

  const naks = async (): Promise<number> => {
    const response = await fetch(`${suite.e2e.stack.url('registry')}/metrics`);
    return metricSamples(await response.text(), 'hookline_messages_handled_total')
      .filter((s) => s.labels.stream.startsWith('OUTCOME') && s.labels.result === 'nak')
      .reduce((sum, s) => sum + s.value, 0);
  };

  it('SIGSTOP the MongoDB-wire server for 15 s under load, then SIGCONT', async () => {
    const { e2e, tenant } = suite;
    const registry = e2e.stack.url('registry');
    const { webhooks, loading } = await startFaultLoad(e2e, tenant, e2e.receiver, 'mongo-stall');
    await sleep(2_000);
    const naksBefore = await naks();
    const { probes, readiness, resumedAt } = await stall(
      (signal) => e2e.stack.signalMongo(signal),
      () =>
        fetch(`${registry}/api/v2/webhook/${webhooks[0].id}`, {
          headers: { authorization: `Bearer ${tenant.key}` },
          signal: AbortSignal.timeout(30_000),
        }),
      `${registry}/health/ready`,
    );
    const naksDuring = (await naks()) - naksBefore;
    await waitUntilReady(`${registry}/health/ready`, 30_000);
    const readyAfterMs = Date.now() - resumedAt;

    const load = await loading;
    const counted = await settle(e2e.receiver, load, webhooks, 90_000);
    const { counts, attempts } = await settledFireCounts(tenant.registry, e2e.receiver, webhooks);
    report(
      `MongoDB stalled ${STALL_MS / 1000} s (SIGSTOP)`,
      load,
      counted,
      `registry answered ${describeProbes(probes)}; ` +
        `${naksDuring} outcomes nak'ed meanwhile; ready ${(readyAfterMs / 1000).toFixed(1)} s after SIGCONT; ` +
        `FireCount per webhook ${counts.join('/')} (attempts at the receivers ${attempts.join('/')})`,
      resumedAt,
    );
    expectPromptRefusals(probes);
    expect(readiness).toMatchObject({
      status: 503,
      body: { status: 'not-ready', checks: { mongodb: { ok: false }, nats: { ok: true } } },
    });
    expect(naksDuring).toBeGreaterThan(0);
    expect(readyAfterMs).toBeLessThan(10_000);
    expectNothingLost(load, counted, FAULT_CHANGES);
    // Every attempt counted once: a repeat of a delivery is an attempt too.
    expect(counts).toEqual(attempts);
  }, 240_000);
});
