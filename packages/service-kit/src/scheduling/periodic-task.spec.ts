import { Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { PeriodicTask, type PeriodicTaskOptions } from './periodic-task';

/** The task's run counts by outcome, as /metrics shows them. */
async function outcomes(metrics: MetricsService, task: string): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric('hookline_periodic_task_runs_total')!.get();
  return Object.fromEntries(
    metric.values.filter((v) => v.labels.task === task).map((v) => [v.labels.outcome, v.value]),
  );
}

/** A job whose runs the test ends one by one. */
function heldJob() {
  const signals: AbortSignal[] = [];
  const pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  let active = 0;
  let mostActive = 0;
  const job = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      signals.push(signal);
      active++;
      mostActive = Math.max(mostActive, active);
      const done = () => active--;
      pending.push({ resolve: () => (done(), resolve()), reject: (err) => (done(), reject(err)) });
    });
  return { job, signals, pending, mostActive: () => mostActive };
}

describe('PeriodicTask', () => {
  let metrics: MetricsService;
  let task: PeriodicTask | undefined;
  const start = (options: Partial<PeriodicTaskOptions> & Pick<PeriodicTaskOptions, 'job'>) => {
    task = new PeriodicTask({ name: 'test-task', everyMs: 1_000, deadlineMs: 5_000, ...options }, metrics);
    task.start();
    return task;
  };

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    jest.useFakeTimers();
    metrics = new MetricsService('test');
  });
  afterEach(async () => {
    const stopping = task?.stop();
    await jest.runOnlyPendingTimersAsync();
    await stopping;
    task = undefined;
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('runs the job one pause after start and one pause after each run ends', async () => {
    let runs = 0;
    start({ job: () => void runs++ });
    await jest.advanceTimersByTimeAsync(999);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(runs).toBe(4);
    expect(await outcomes(metrics, 'test-task')).toEqual({ ok: 4 });
  });

  it('never starts a run while the last one is still going', async () => {
    const held = heldJob();
    start({ job: held.job });
    await jest.advanceTimersByTimeAsync(1_000);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(held.signals).toHaveLength(1);
    held.pending[0].resolve();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(held.signals).toHaveLength(2);
    expect(held.mostActive()).toBe(1);
  });

  it('logs a failed run under its name, counts it, and runs again on time', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    let runs = 0;
    start({
      name: 'flaky-sweep',
      job: async () => {
        if (++runs === 1) throw new Error('database away');
      },
    });
    await jest.advanceTimersByTimeAsync(2_000);
    expect(runs).toBe(2);
    expect(await outcomes(metrics, 'flaky-sweep')).toEqual({ error: 1, ok: 1 });
    expect(warn).toHaveBeenCalledWith({ err: 'Error: database away' }, 'run failed; the next one is planned');
  });

  it('aborts a run at its deadline and skips the ticks until it settles, without stacking runs', async () => {
    const held = heldJob();
    start({ everyMs: 1_000, deadlineMs: 2_500, job: held.job });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(held.signals[0].aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(2_500);
    expect(held.signals[0].aborted).toBe(true);
    // The job ignores its signal: the next two planned runs find it still going.
    await jest.advanceTimersByTimeAsync(2_000);
    expect(held.signals).toHaveLength(1);
    expect(await outcomes(metrics, 'test-task')).toEqual({ timeout: 1, skipped: 2 });
    held.pending[0].reject(new Error('aborted'));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(held.signals).toHaveLength(2);
    expect(held.mostActive()).toBe(1);
  });

  it('adds up to jitterMs to each pause', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    let runs = 0;
    start({ everyMs: 1_000, jitterMs: 400, job: () => void runs++ });
    await jest.advanceTimersByTimeAsync(1_199);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
  });

  it('on stop aborts the running job, waits for it, and runs no more', async () => {
    const held = heldJob();
    const running = start({ job: held.job });
    await jest.advanceTimersByTimeAsync(1_000);
    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(100);
    expect(held.signals[0].aborted).toBe(true);
    expect(stopped).toBe(false);
    held.pending[0].resolve();
    await stopping;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(held.signals).toHaveLength(1);
  });

  it('on stop gives up on a job that outlives stopGraceMs', async () => {
    const held = heldJob();
    const running = start({ stopGraceMs: 300, job: held.job });
    await jest.advanceTimersByTimeAsync(1_000);
    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(299);
    expect(stopped).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await stopping;
    expect(stopped).toBe(true);
    held.pending[0].resolve();
  });
});
