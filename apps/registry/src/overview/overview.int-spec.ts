/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { randomUUID } from 'node:crypto';
import { SUBJECTS, type DeliveryOutcome } from '@hookline/contracts';
import { RegistryHarness, SEED_EXAMPLE, waitFor } from '../../test/registry-harness';

describe('the delivery overview of a subscription', () => {
  let h: RegistryHarness;
  let key: string;

  beforeAll(async () => {
    h = await RegistryHarness.start();
    key = await h.createKey(410);
  });

  afterAll(async () => {
    await h?.stop();
  });

  const publish = (webhookId: string, fields: Partial<DeliveryOutcome>) => {
    const outcome: DeliveryOutcome = {
      deliveryId: randomUUID(),
      tenant: '410',
      webhookId,
      kind: 'success',
      attempt: 1,
      status: 200,
      latencyMs: 40,
      at: new Date().toISOString(),
      ...fields,
    };
    return h.publish(SUBJECTS.outcome(outcome.tenant, webhookId), outcome, `${outcome.deliveryId}#1`);
  };

  it('counts the last hour’s attempts across webhooks, with success ratio and latency percentiles', async () => {
    const ids: string[] = [];
    for (const name of ['one', 'two'])
      ids.push(
        (await h.request('POST', '/api/v2/webhook', { key, body: { ...SEED_EXAMPLE, Name: name } })).body.ObjectUUID,
      );
    await publish(ids[0], { latencyMs: 10 });
    await publish(ids[1], { latencyMs: 30 });
    await publish(ids[1], { kind: 'retry', status: 503, latencyMs: 2000 });
    // An attempt from two hours ago is outside the window.
    await publish(ids[0], { at: new Date(Date.now() - 2 * 3600_000).toISOString() });

    // Outcomes are stored in batches: wait until all four are, the older one included.
    await waitFor(async () => {
      const got = await h.request('GET', '/api/v2/overview?minutes=180', { key });
      return got.body.Attempts === 4;
    });
    const overview = await h.request('GET', '/api/v2/overview', { key });
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({
      Attempts: 3,
      WindowMinutes: 60,
      Successes: 2,
      Failures: 1,
      LatencyP50Ms: 30,
      LatencyP99Ms: 2000,
      Sampled: false,
    });
    expect(overview.body.SuccessRatio).toBeCloseTo(2 / 3);
    expect(overview.body.PerMinute).toHaveLength(60);
    expect(overview.body.PerMinute.reduce((sum: number, m: any) => sum + m.Attempts, 0)).toBe(3);

    // Another subscription sees none of them; a window of three hours sees the older one too.
    expect((await h.request('GET', '/api/v2/overview', { key: await h.createKey(411) })).body.Attempts).toBe(0);
    expect((await h.request('GET', '/api/v2/overview?minutes=180', { key })).body.Attempts).toBe(4);
  });

  it('shows the queue per hop, and marks the dispatcher’s part unavailable when none answers', async () => {
    const got = await h.request('GET', '/api/v2/overview', { key });
    expect(got.status).toBe(200);
    expect(got.body.Dispatch).toEqual({ Available: false, OpenBreakers: [], ParkedJobs: null, BlockedUrls: null });
    // The registry's own consumer exists; the matcher's does not, as no matcher runs here.
    const hop = (consumer: string) => got.body.Queues.find((q: any) => q.Consumer === consumer);
    expect(hop('registry-outcome-batches')).toMatchObject({ Stream: 'OUTCOME_BATCHES', Available: true, Pending: 0 });
    expect(hop('matcher')).toMatchObject({ Stream: 'CHANGES', Available: false, Pending: null });
    // They hold other tenants' load too, so only admins see them.
    const reader = await h.request('GET', '/api/v2/overview', { key: await h.createKey(410, ['read-only']) });
    expect(reader.body.Queues).toEqual([]);
  });

  it('shows the open breakers, parked jobs and blocked URLs the dispatcher reports for the caller', async () => {
    const asked: string[] = [];
    // The dispatcher's side of SUBJECTS.dispatchStatus, standing in at the process boundary.
    const dispatcher = h.nats.connection.subscribe(SUBJECTS.dispatchStatusAll, {
      callback: (_err, msg) => {
        asked.push(msg.subject);
        msg.respond(
          JSON.stringify({
            openBreakers: [{ origin: 'https://down.example', state: 'open', parked: 3, nextProbeAt: null }],
            parkedJobs: 3,
            blockedUrls: 1,
          }),
        );
      },
    });
    try {
      const got = await h.request('GET', '/api/v2/overview', { key });
      expect(got.body.Dispatch).toEqual({
        Available: true,
        OpenBreakers: [{ Origin: 'https://down.example', State: 'open', Parked: 3, NextProbeAt: null }],
        ParkedJobs: 3,
        BlockedUrls: 1,
      });
      expect(asked).toEqual([SUBJECTS.dispatchStatus('410')]);
    } finally {
      dispatcher.unsubscribe();
    }
  });

  it('refuses a window it cannot give, naming the parameter, and callers without a key', async () => {
    const bad = await h.request('GET', '/api/v2/overview?minutes=0', { key });
    expect(bad).toMatchObject({ status: 400, body: { details: [{ field: 'minutes' }] } });
    expect((await h.request('GET', '/api/v2/overview?minutes=1441', { key })).status).toBe(400);
    expect((await h.request('GET', '/api/v2/overview')).status).toBe(401);
  });
});
