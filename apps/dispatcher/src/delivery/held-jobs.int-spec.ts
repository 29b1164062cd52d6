import { freePort, Receiver } from '@hookline/testing';
import { answer, DispatcherHarness, job, spec, waitFor } from '../../test/dispatcher-harness';

/** More than the 1,024 unacked messages JetStream allowed the dispatcher's durable before. */
const DEAD_JOBS = 1_100;

describe('jobs waiting for a dead receiver', () => {
  let h: DispatcherHarness;
  let healthy: Receiver;

  beforeAll(async () => {
    h = await DispatcherHarness.start();
    healthy = await Receiver.start({ respond: answer(200) });
  });

  afterAll(async () => {
    await healthy?.stop();
    await h?.stop();
  });

  it('do not hold up deliveries to other receivers', async () => {
    // Nothing listens there: each job fails at once, then waits (nak'ed with a delay) for its retry
    // or for the breaker, staying unacked on the server all that time.
    const dead = `http://127.0.0.1:${await freePort()}/hook`;
    const slow = { MaxRetries: 3, InitialDelayMs: 60_000, BackoffMultiplier: 1, RetryOnStatus: [503] };
    const deadJobs = Array.from({ length: DEAD_JOBS }, () => job(spec(dead, { RetryPolicy: slow })));
    for (let i = 0; i < deadJobs.length; i += 100)
      await Promise.all(deadJobs.slice(i, i + 100).map((j) => h.publish(j)));
    const deadIds = new Set(deadJobs.map((j) => j.deliveryId));
    // At least 1,000 attempted once and now waiting on the server (all 1,100 once nothing caps them).
    await waitFor(
      () => new Set(h.outcomes.filter((o) => deadIds.has(o.deliveryId)).map((o) => o.deliveryId)).size >= 1_000,
      60_000,
    );

    const fine = job(spec(healthy.url()));
    await h.publish(fine);
    await waitFor(() => h.outcomesOf(fine.deliveryId).some((o) => o.kind === 'success'), 10_000);
    expect(healthy.requests).toHaveLength(1);
  }, 90_000);
});
