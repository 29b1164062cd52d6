import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { SUBJECTS, type DispatchStatus } from '@hookline/contracts';
import { freePort, type RunningApp } from '@hookline/testing';
import { DispatcherHarness, FAST_RETRIES, job, LOCAL_ENV, spec, waitFor } from '../../test/dispatcher-harness';

const JOBS = 200;

describe('jobs parked while their origin is down', () => {
  let h: DispatcherHarness;
  let receiver: Server | undefined;
  let second: RunningApp | undefined;

  beforeAll(async () => {
    h = await DispatcherHarness.start({
      ...LOCAL_ENV,
      BREAKER_VOLUME_THRESHOLD: '4',
      BREAKER_RESET_MS: '1500',
      BREAKER_RESET_MAX_MS: '3000',
      BLOCK_STRIKES: '100000',
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    await second?.close();
    await h?.stop();
  });

  const parked = async () => (await h.client.jsm.streams.info('PARKED_DELIVERIES')).state.messages;

  /** A receiver on `port` that answers 200 and notes each request's webhook-id. */
  const listen = async (port: number, received: string[]): Promise<Server> => {
    const server = createServer((req, res) => {
      received.push(String(req.headers['webhook-id']));
      req.resume().on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  };

  /** Every job delivered, attempts numbered 1..n across parking, nothing left parked. */
  const expectAllDelivered = async (jobs: ReturnType<typeof job>[], received: string[]) => {
    for (const j of jobs) await h.settled(j.deliveryId, 30_000);
    expect(new Set(received)).toEqual(new Set(jobs.map((j) => j.deliveryId)));
    for (const j of jobs) {
      const attempts = h.outcomesOf(j.deliveryId).filter((o) => o.kind !== 'held');
      // Attempts made before a job was parked still count after it comes back; holds do not.
      expect(attempts.map((o) => o.attempt)).toEqual(attempts.map((_, i) => i + 1));
      expect(attempts.at(-1)?.kind).toBe('success');
    }
    await waitFor(async () => (await parked()) === 0);
  };

  it('wait acked on PARKED_DELIVERIES, survive a restart, and are all delivered once the origin answers', async () => {
    const port = await freePort();
    const webhookId = randomUUID();
    const hook = spec(`http://127.0.0.1:${port}/hook`, {
      RetryPolicy: { ...FAST_RETRIES, MaxRetries: 20, InitialDelayMs: 200 },
    });
    const jobs = Array.from({ length: JOBS }, () => job(hook, { webhookId }));
    for (const j of jobs) await h.publish(j);

    // Nothing listens on the port: a few attempts fail, the breaker opens, every job is parked.
    await waitFor(async () => (await parked()) === JOBS, 30_000);
    const consumer = await h.client.jsm.consumers.info('DELIVERIES', 'dispatcher');
    // Not waiting unacked on DELIVERIES, where the server would keep walking them.
    expect(consumer.num_ack_pending).toBeLessThan(5);
    const key = await h.createKey(100, ['admin']);
    const queues = await h.request<{ Results: { WebhookID: string; Parked: number }[] }>(
      'GET',
      '/api/v2/deliveries/webhooks',
      key,
    );
    expect(queues.body.Results.find((r) => r.WebhookID === webhookId)?.Parked).toBeGreaterThan(JOBS - 5);
    // The registry's overview asks over NATS what holds the tenant's deliveries back.
    const status = (
      await h.client.connection.request(SUBJECTS.dispatchStatus('100'), '{}', { timeout: 5_000 })
    ).json<DispatchStatus>();
    // Open, or half-open while a probe is out (the reset here is 1.5 s).
    expect(status.openBreakers).toEqual([
      expect.objectContaining({ origin: `http://127.0.0.1:${port}`, state: expect.stringMatching(/open$/) }),
    ]);
    expect(status.parkedJobs).toBeGreaterThan(JOBS - 5);
    expect(status.blockedUrls).toBe(0);

    // A new instance does not know the origin: it sends the jobs again, finds it down, parks them again.
    const retries = () => h.outcomes.filter((o) => o.kind === 'retry').length;
    const retriedBefore = retries();
    await h.restart();
    await waitFor(() => retries() >= retriedBefore + 4, 30_000);
    await waitFor(async () => (await parked()) === JOBS, 30_000);

    const received: string[] = [];
    receiver = await listen(port, received);

    // The next probe succeeds, the breaker closes, every parked job goes back and is delivered.
    await expectAllDelivered(jobs, received);
    expect(jobs.some((j) => h.outcomesOf(j.deliveryId).filter((o) => o.kind === 'retry').length > 0)).toBe(true);
  }, 120_000);

  it('are shared by two instances without loss while the origin is down, and all delivered once it answers', async () => {
    second = await h.startAnother();
    const port = await freePort();
    const hook = spec(`http://127.0.0.1:${port}/hook`, {
      RetryPolicy: { ...FAST_RETRIES, MaxRetries: 20, InitialDelayMs: 200 },
    });
    const jobs = Array.from({ length: JOBS }, () => job(hook));
    for (const j of jobs) await h.publish(j);
    // Both instances take jobs, open their own breakers and park; each probes on its own.
    await waitFor(async () => (await parked()) === JOBS, 30_000);

    const received: string[] = [];
    const server = await listen(port, received);
    try {
      await expectAllDelivered(jobs, received);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});
