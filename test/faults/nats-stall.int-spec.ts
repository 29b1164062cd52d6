import { changeBody } from '@hookline/testing';
import {
  describeProbes,
  expectNothingLost,
  expectPromptRefusals,
  FAULT_CHANGES,
  report,
  settle,
  sleep,
  stall,
  STALL_MS,
  startFaultLoad,
  useFaultStack,
  waitUntilReady,
} from './fault-load';

/**
 * nats-server stops answering mid-load (SIGSTOP: connections stay open, nothing is answered) and
 * then goes on. A JetStream publish has a deadline (NATS_REQUEST_TIMEOUT_MS), so change-ingest
 * answers 503 with Retry-After within seconds rather than holding the request, readiness names
 * NATS, and everything resumes by itself with nothing lost.
 */
describe('faults: nats-server stalls mid-load', () => {
  const suite = useFaultStack(304);

  it('SIGSTOP nats-server for 15 s under load, then SIGCONT', async () => {
    const { e2e, tenant } = suite;
    const label = 'nats-stall';
    const ingest = e2e.stack.url('change-ingest');
    const { webhooks, loading } = await startFaultLoad(e2e, tenant, e2e.receiver, label);
    await sleep(2_000);
    const { probes, readiness, resumedAt } = await stall(
      (signal) => e2e.stack.signalNats(signal),
      (n) =>
        fetch(`${ingest}/api/v2/changes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
          body: JSON.stringify([
            changeBody({
              message_id: `${label}-probe-${n}`,
              object_type: 'Story',
              object_id: `probe-${n}`,
              after: { Name: 'probe' },
            }),
          ]),
          signal: AbortSignal.timeout(30_000),
        }),
      `${ingest}/health/ready`,
    );
    await waitUntilReady(`${ingest}/health/ready`, 60_000);
    const readyAfterMs = Date.now() - resumedAt;

    const load = await loading;
    const counted = await settle(e2e.receiver, load, webhooks, 120_000);
    report(
      `nats-server stalled ${STALL_MS / 1000} s (SIGSTOP)`,
      load,
      counted,
      `ingest answered ${describeProbes(probes)}; ready ${(readyAfterMs / 1000).toFixed(1)} s after SIGCONT`,
      resumedAt,
    );
    expectPromptRefusals(probes);
    expect(readiness).toMatchObject({ status: 503, body: { status: 'not-ready', checks: { nats: { ok: false } } } });
    expect(readyAfterMs).toBeLessThan(30_000);
    expectNothingLost(load, counted, FAULT_CHANGES);
  }, 300_000);
});
