import { waitFor } from '@hookline/testing';
import { E2eStack, type Tenant } from '../e2e/e2e-stack';
import {
  expectNothingLost,
  FAULT_CHANGES,
  FAULT_DISPATCHER_ENV,
  report,
  settle,
  sleep,
  startFaultLoad,
} from './fault-load';

/** How long nats-server is stalled, and the longest an ingest request may wait for its 503 meanwhile. */
const STALL_MS = 15_000;
const ANSWER_WITHIN_MS = 8_000;

interface Probe {
  status: number;
  ms: number;
  retryAfter: string | null;
}

/**
 * nats-server stops answering mid-load (SIGSTOP: connections stay open, nothing is answered) and
 * then goes on. A JetStream publish has a deadline (NATS_REQUEST_TIMEOUT_MS), so change-ingest
 * answers 503 with Retry-After within seconds rather than holding the request, readiness names
 * NATS, and everything resumes by itself with nothing lost.
 */
describe('faults: nats-server stalls mid-load', () => {
  let e2e: E2eStack;
  let tenant: Tenant;

  beforeAll(async () => {
    e2e = await E2eStack.start({
      logDir: process.env.HOOKLINE_FAULT_LOGS,
      serviceEnv: { dispatcher: FAULT_DISPATCHER_ENV },
    });
    tenant = await e2e.tenant(304);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  it('SIGSTOP nats-server for 15 s under load, then SIGCONT', async () => {
    const label = 'nats-stall';
    const { webhooks, loading } = await startFaultLoad(e2e, tenant, e2e.receiver, label);
    await sleep(2_000);
    e2e.stack.signalNats('SIGSTOP');
    const stalledAt = Date.now();
    const probes: Probe[] = [];
    let readiness: unknown;
    try {
      while (Date.now() - stalledAt < STALL_MS - ANSWER_WITHIN_MS) {
        const started = Date.now();
        const reply = await fetch(`${e2e.stack.url('change-ingest')}/api/v2/changes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
          body: JSON.stringify([
            {
              message_id: `${label}-probe-${probes.length}`,
              action: 'Created',
              object_type: 'Story',
              object_id: `probe-${probes.length}`,
              after: { Name: 'probe' },
            },
          ]),
          signal: AbortSignal.timeout(30_000),
        }).catch(() => undefined);
        probes.push({
          status: reply?.status ?? 0,
          ms: Date.now() - started,
          retryAfter: reply?.headers.get('retry-after') ?? null,
        });
        await sleep(Math.max(0, 500 - (Date.now() - started)));
      }
      const ready = await fetch(`${e2e.stack.url('change-ingest')}/health/ready`);
      readiness = { status: ready.status, body: await ready.json() };
    } finally {
      await sleep(Math.max(0, STALL_MS - (Date.now() - stalledAt)));
      e2e.stack.signalNats('SIGCONT');
    }
    const resumedAt = Date.now();
    await waitFor(
      async () => (await fetch(`${e2e.stack.url('change-ingest')}/health/ready`)).status === 200,
      60_000,
      100,
    );
    const readyAfterMs = Date.now() - resumedAt;

    const load = await loading;
    const counted = await settle(e2e.receiver, load, webhooks, 120_000);
    report(
      `nats-server stalled ${STALL_MS / 1000} s (SIGSTOP)`,
      load,
      counted,
      `ingest answered ${probes.map((p) => `${p.status || 'none'} in ${(p.ms / 1000).toFixed(1)} s`).join(', ')}; ` +
        `ready ${(readyAfterMs / 1000).toFixed(1)} s after SIGCONT`,
      resumedAt,
    );
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.filter((p) => p.status !== 503 || p.retryAfter === null || p.ms > ANSWER_WITHIN_MS)).toEqual([]);
    expect(readiness).toMatchObject({ status: 503, body: { status: 'not-ready', checks: { nats: { ok: false } } } });
    expect(readyAfterMs).toBeLessThan(30_000);
    expectNothingLost(load, counted, FAULT_CHANGES);
  }, 300_000);
});
