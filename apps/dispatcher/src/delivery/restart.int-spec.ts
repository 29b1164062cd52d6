import { Receiver } from '@hookline/testing';
import { answer, DispatcherHarness, FAST_RETRIES, job, spec, waitFor } from '../../test/dispatcher-harness';

describe('dispatcher restart in the middle of a retry', () => {
  let h: DispatcherHarness;
  let r: Receiver;

  beforeAll(async () => {
    h = await DispatcherHarness.start();
    r = await Receiver.start({ respond: (res, n) => answer(n === 0 ? 503 : 200)(res) });
  });

  afterAll(async () => {
    await r?.stop();
    await h?.stop();
  });

  it('delivers the job after the restart, as attempt 2, with the same webhook-id', async () => {
    const j = job(spec(r.url(), { RetryPolicy: { ...FAST_RETRIES, InitialDelayMs: 1_500 } }));
    await h.publish(j);
    await waitFor(() => h.outcomesOf(j.deliveryId).length === 1);
    // The retry is scheduled in JetStream; this instance goes away before it is due.
    await h.restart();
    expect(r.requests).toHaveLength(1);
    const outcomes = await h.settled(j.deliveryId);
    expect(outcomes.map((o) => [o.kind, o.attempt, o.status])).toEqual([
      ['retry', 1, 503],
      ['success', 2, 200],
    ]);
    expect(r.requests.map((req) => req.headers['webhook-id'])).toEqual([j.deliveryId, j.deliveryId]);
  });
});
