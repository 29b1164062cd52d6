import { metricSamples, waitFor } from '@hookline/testing';
import { E2eStack, type Tenant } from '../e2e/e2e-stack';
import {
  expectNothingLost,
  FAULT_CHANGES,
  FAULT_DISPATCHER_ENV,
  fireCounts,
  report,
  settle,
  sleep,
  startFaultLoad,
} from './fault-load';

/** How long the database is stalled, and the longest a request may wait for its 503 meanwhile. */
const STALL_MS = 15_000;
const ANSWER_WITHIN_MS = 8_000;

interface Probe {
  status: number;
  ms: number;
  retryAfter: string | null;
}

/**
 * The MongoDB-wire server stops answering mid-load (SIGSTOP: its sockets stay open, new connections
 * are accepted, nothing is answered) and then goes on (SIGCONT). Every database call has a deadline,
 * so requests get a 503 with Retry-After within seconds, readiness names the database, JetStream
 * handlers nak rather than ack or hang, and everything resumes by itself with nothing lost.
 */
describe('faults: the database stalls mid-load', () => {
  let e2e: E2eStack;
  let tenant: Tenant;

  beforeAll(async () => {
    e2e = await E2eStack.start({
      privateMongo: true,
      logDir: process.env.HOOKLINE_FAULT_LOGS,
      serviceEnv: { dispatcher: FAULT_DISPATCHER_ENV },
    });
    tenant = await e2e.tenant(303);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  const naks = async (): Promise<number> => {
    const response = await fetch(`${e2e.stack.url('registry')}/metrics`);
    return metricSamples(await response.text(), 'hookline_messages_handled_total')
      .filter((s) => s.labels.stream.startsWith('OUTCOME') && s.labels.result === 'nak')
      .reduce((sum, s) => sum + s.value, 0);
  };

  it('SIGSTOP the MongoDB-wire server for 15 s under load, then SIGCONT', async () => {
    const label = 'mongo-stall';
    const { webhooks, loading } = await startFaultLoad(e2e, tenant, e2e.receiver, label);
    await sleep(2_000);
    const naksBefore = await naks();
    e2e.stack.signalMongo('SIGSTOP');
    const stalledAt = Date.now();
    const probes: Probe[] = [];
    let readiness: unknown;
    try {
      while (Date.now() - stalledAt < STALL_MS - ANSWER_WITHIN_MS) {
        const started = Date.now();
        const reply = await fetch(`${e2e.stack.url('registry')}/api/v2/webhook/${webhooks[0].id}`, {
          headers: { authorization: `Bearer ${tenant.key}` },
          signal: AbortSignal.timeout(30_000),
        }).catch(() => undefined);
        probes.push({
          status: reply?.status ?? 0,
          ms: Date.now() - started,
          retryAfter: reply?.headers.get('retry-after') ?? null,
        });
        await sleep(Math.max(0, 500 - (Date.now() - started)));
      }
      const ready = await fetch(`${e2e.stack.url('registry')}/health/ready`);
      readiness = { status: ready.status, body: await ready.json() };
    } finally {
      await sleep(Math.max(0, STALL_MS - (Date.now() - stalledAt)));
      e2e.stack.signalMongo('SIGCONT');
    }
    const resumedAt = Date.now();
    const naksDuring = (await naks()) - naksBefore;
    await waitFor(async () => (await fetch(`${e2e.stack.url('registry')}/health/ready`)).status === 200, 30_000, 100);
    const readyAfterMs = Date.now() - resumedAt;

    const load = await loading;
    const counted = await settle(e2e.receiver, load, webhooks, 90_000);
    let counts: number[] = [];
    await waitFor(
      async () => {
        counts = await fireCounts(tenant.registry, webhooks);
        return counts.every((n) => n === FAULT_CHANGES);
      },
      60_000,
      500,
    ).catch(() => undefined);
    report(
      `MongoDB stalled ${STALL_MS / 1000} s (SIGSTOP)`,
      load,
      counted,
      `registry answered ${probes.map((p) => `${p.status || 'none'} in ${(p.ms / 1000).toFixed(1)} s`).join(', ')}; ` +
        `${naksDuring} outcomes nak'ed meanwhile; ready ${(readyAfterMs / 1000).toFixed(1)} s after SIGCONT; ` +
        `FireCount per webhook ${counts.join('/')} (expected ${FAULT_CHANGES} each)`,
      resumedAt,
    );
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.filter((p) => p.status !== 503 || p.retryAfter === null || p.ms > ANSWER_WITHIN_MS)).toEqual([]);
    expect(readiness).toMatchObject({
      status: 503,
      body: { status: 'not-ready', checks: { mongodb: { ok: false }, nats: { ok: true } } },
    });
    expect(naksDuring).toBeGreaterThan(0);
    expect(readyAfterMs).toBeLessThan(10_000);
    expectNothingLost(load, counted, FAULT_CHANGES);
    expect(counts).toEqual(webhooks.map(() => FAULT_CHANGES));
  }, 240_000);
});
