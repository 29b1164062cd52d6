import { MetricsService } from '@hookline/service-kit';
import { DispatcherConfig } from '../config/dispatcher.config';
import { DISPATCH_CONCURRENCY, RESERVED_FOR_OTHER_ORIGINS } from '../config/limits';
import { OriginBreaker } from './origin-breaker.service';

function breakerWith(overrides: Partial<DispatcherConfig>): OriginBreaker {
  const config = Object.assign(new DispatcherConfig(), { WEBHOOK_REQUEST_TIMEOUT: 1000, ...overrides });
  return new OriginBreaker(config, new MetricsService('dispatcher-test'));
}

/** An action that stays pending until released. */
function gate<T>(value: T) {
  let release: () => void = () => undefined;
  const promise = new Promise<T>((resolve) => (release = () => resolve(value)));
  return { promise, release };
}

describe('OriginBreaker', () => {
  let breaker: OriginBreaker;
  afterEach(() => breaker.onApplicationShutdown());

  it('runs at most ORIGIN_CONCURRENCY at once, lets the rest of an answering origin wait while handlers stay free for other origins, then turns jobs away', async () => {
    breaker = breakerWith({ ORIGIN_CONCURRENCY: 2, ORIGIN_QUEUE_LIMIT: 1 });
    // The origin has just answered.
    expect(
      (
        await breaker.run(
          'https://busy.example',
          't',
          async () => 'done',
          () => false,
        )
      ).kind,
    ).toBe('ran');
    const release = gate(undefined);
    let started = 0;
    const action = async () => {
      started++;
      await release.promise;
      return 'done';
    };
    // Two run, the others wait until only the handlers reserved for other origins are left.
    const admitted = DISPATCH_CONCURRENCY - RESERVED_FOR_OTHER_ORIGINS;
    const runs = Array.from({ length: admitted }, () => breaker.run('https://busy.example', 't', action, () => false));
    await Promise.resolve();
    expect(started).toBe(2);
    expect(breaker.snapshot('t')[0]).toMatchObject({ inFlight: 2, waiting: admitted - 2 });
    expect((await breaker.run('https://busy.example', 't', action, () => false)).kind).toBe('busy');
    // Another origin has its own budget and the reserved handlers.
    expect(
      await breaker.run(
        'https://other.example',
        't',
        async () => 'ok',
        () => false,
      ),
    ).toEqual({ kind: 'ran', value: 'ok' });
    release.release();
    const results = await Promise.all(runs);
    expect(results.every((r) => r.kind === 'ran')).toBe(true);
    expect(started).toBe(admitted);
  });

  it('keeps a hanging origin to its own slots and queue, so it never holds the handlers of others', async () => {
    breaker = breakerWith({ ORIGIN_CONCURRENCY: 2, ORIGIN_QUEUE_LIMIT: 1 });
    const hang = gate(undefined);
    const hanging = async () => {
      await hang.promise;
      return 'late';
    };
    const runs = Array.from({ length: 3 }, () => breaker.run('https://hangs.example', 't', hanging, () => false));
    await Promise.resolve();
    expect(breaker.snapshot('t')[0]).toMatchObject({ inFlight: 2, waiting: 1 });
    // Its extra jobs come back once requests could have timed out (WEBHOOK_REQUEST_TIMEOUT 1 s here), not every second.
    const turnedAway = await breaker.run('https://hangs.example', 't', hanging, () => false);
    expect(turnedAway.kind).toBe('busy');
    expect(turnedAway.kind === 'busy' && turnedAway.retryInMs).toBeGreaterThanOrEqual(500);
    expect(turnedAway.kind === 'busy' && turnedAway.retryInMs).toBeLessThan(1_000);
    hang.release();
    expect((await Promise.all(runs)).every((r) => r.kind === 'ran')).toBe(true);
  });

  it('opens after failures, turns jobs away without running them, and closes after a successful probe', async () => {
    breaker = breakerWith({ BREAKER_VOLUME_THRESHOLD: 3, BREAKER_ERROR_PERCENT: 50, BREAKER_RESET_MS: 200 });
    const failing = async () => ({ status: 503 });
    const isFailure = (r: { status: number }) => r.status >= 500;
    // Jobs parked for an origin this instance has never seen go back at once.
    expect(breaker.releaseOf('https://down.example')).toBe('all');
    for (let i = 0; i < 3; i++)
      expect(await breaker.run('https://down.example', 't', failing, isFailure)).toEqual({
        kind: 'ran',
        value: { status: 503 },
      });
    let ran = false;
    const held = await breaker.run(
      'https://down.example',
      't',
      async () => {
        ran = true;
        return { status: 200 };
      },
      isFailure,
    );
    expect(held.kind).toBe('open');
    expect(ran).toBe(false);
    expect(held.kind === 'open' && held.retryInMs).toBeGreaterThan(0);
    expect(breaker.snapshot('t')).toEqual([
      expect.objectContaining({ origin: 'https://down.example', state: 'open', failures: 3 }),
    ]);
    expect(breaker.snapshot('another tenant')).toEqual([]);
    expect(breaker.releaseOf('https://down.example')).toBe('wait');

    await new Promise((r) => setTimeout(r, 250));
    expect(breaker.snapshot('t')[0].state).toBe('half-open');
    expect(breaker.releaseOf('https://down.example')).toBe('probe');
    const probe = gate({ status: 200 });
    const probing = breaker.run('https://down.example', 't', () => probe.promise, isFailure);
    // One probe at a time: the parked jobs wait for its answer.
    expect(breaker.releaseOf('https://down.example')).toBe('wait');
    probe.release();
    expect(await probing).toEqual({ kind: 'ran', value: { status: 200 } });
    expect(breaker.snapshot('t')[0].state).toBe('closed');
    expect(breaker.releaseOf('https://down.example')).toBe('all');
  });

  it('opens after BREAKER_CONSECUTIVE_FAILURES failures in a row, however many successes the window holds', async () => {
    breaker = breakerWith({ BREAKER_CONSECUTIVE_FAILURES: 3, BREAKER_VOLUME_THRESHOLD: 1, BREAKER_ERROR_PERCENT: 50 });
    const isFailure = (r: { status: number }) => r.status >= 500;
    const answer = (status: number) => breaker.run('https://went.down', 't', async () => ({ status }), isFailure);
    for (let i = 0; i < 10; i++) expect((await answer(200)).kind).toBe('ran');
    // A success between failures starts the count again.
    for (const status of [503, 503, 200, 503, 503]) expect((await answer(status)).kind).toBe('ran');
    expect(breaker.snapshot('t')[0].state).toBe('closed');

    expect((await answer(503)).kind).toBe('ran');
    expect(breaker.snapshot('t')[0]).toEqual(expect.objectContaining({ state: 'open', successes: 11, failures: 5 }));
    expect((await answer(200)).kind).toBe('open');
  });

  it('forgets idle closed origins beyond its limit, never an open one (its parked jobs would go back at once)', async () => {
    breaker = breakerWith({ BREAKER_CONSECUTIVE_FAILURES: 1 });
    const isFailure = (r: { status: number }) => r.status >= 500;
    await breaker.run('https://down.example', 't', async () => ({ status: 503 }), isFailure);
    await breaker.run('https://first.example', 't', async () => ({ status: 200 }), isFailure);
    for (let i = 0; i < 1_000; i++)
      await breaker.run(`https://up${i}.example`, 't', async () => ({ status: 200 }), isFailure);
    expect(breaker.releaseOf('https://down.example')).toBe('wait');
    const known = breaker.snapshot('t').map((o) => o.origin);
    expect(known).toHaveLength(1_000);
    expect(known).not.toContain('https://first.example');
  });

  it('waits twice as long after each failed probe, up to BREAKER_RESET_MAX_MS, and starts again once the origin answers', async () => {
    breaker = breakerWith({
      BREAKER_CONSECUTIVE_FAILURES: 1,
      BREAKER_RESET_MS: 100,
      BREAKER_RESET_MAX_MS: 300,
    });
    let status = 503;
    let ran = 0;
    const isFailure = (r: { status: number }) => r.status >= 500;
    const answer = () =>
      breaker.run(
        'https://flaky.example',
        't',
        async () => {
          ran++;
          return { status };
        },
        isFailure,
      );
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** Runs a job every 10 ms until one reaches the origin; how long that took. */
    const untilProbed = async (): Promise<number> => {
      const start = Date.now();
      const before = ran;
      while (ran === before && Date.now() - start < 2_000) {
        const result = await answer();
        if (result.kind === 'open') expect(result.retryInMs).toBeGreaterThan(0);
        await sleep(10);
      }
      return Date.now() - start;
    };

    expect((await answer()).kind).toBe('ran');
    expect(breaker.snapshot('t')[0].state).toBe('open');
    // Probes after 100 ms, then 200, then 300 (the longest), each failing.
    for (const wait of [100, 200, 300, 300]) {
      const took = await untilProbed();
      expect(took).toBeGreaterThanOrEqual(wait - 20);
      // Loose: a busy test machine delays timers; the doubling itself is checked exactly below.
      expect(took).toBeLessThan(wait + 500);
      const open = breaker.snapshot('t')[0];
      expect(open.state).toBe('open');
      expect(open.probeAt!.getTime() - open.openedAt!.getTime()).toBe(Math.min(300, wait * 2));
    }
    status = 200;
    await untilProbed();
    expect(breaker.snapshot('t')[0]).toEqual(expect.objectContaining({ state: 'closed', probeAt: null }));

    // Closed again, the next outage starts over at BREAKER_RESET_MS.
    status = 503;
    expect((await answer()).kind).toBe('ran');
    const reopened = breaker.snapshot('t')[0];
    expect(reopened.probeAt!.getTime() - reopened.openedAt!.getTime()).toBe(100);
  });
});
