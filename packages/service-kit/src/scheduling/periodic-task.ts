import { Logger } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service';

export interface PeriodicTaskOptions {
  /** Names the task in logs and in the `task` label of its metrics, e.g. `parked-jobs-sweep`. */
  name: string;
  /** Pause between the end of one run and the start of the next. */
  everyMs: number;
  /** Up to this much is added at random to each pause, so instances started together do not run in step. */
  jitterMs?: number;
  /**
   * A run still going after this long is logged, counted as `timeout`, and its signal aborted. Until it
   * settles no other run starts (the pauses that end meanwhile are counted as `skipped`).
   */
  deadlineMs: number;
  /** How long stop() waits for a running job after aborting its signal; defaults to the smaller of deadlineMs and 5 s. */
  stopGraceMs?: number;
  /** The work of one run; `signal` aborts at the run's deadline and on stop(). */
  job: (signal: AbortSignal) => Promise<unknown> | void;
}

/** Within the shutdown's own bound (SHUTDOWN_TIMEOUT_MS, 10 s by default), leaving time for what closes after. */
const DEFAULT_STOP_GRACE_MS = 5_000;

type Outcome = 'ok' | 'error' | 'timeout' | 'skipped';

/**
 * Runs a job every `everyMs`, never two runs at once, with a deadline per run. A failed run is
 * logged under the task's name and counted; the next one runs as planned. The owner calls start()
 * on application bootstrap and stop() on shutdown.
 */
export class PeriodicTask {
  private readonly logger: Logger;
  private readonly runs: Counter<'task' | 'outcome'>;
  private readonly duration: Histogram<'task'>;
  private timer?: NodeJS.Timeout;
  private running?: { settled: Promise<void>; abort: AbortController };
  private stopped = true;

  constructor(
    private readonly options: PeriodicTaskOptions,
    metrics: MetricsService,
  ) {
    this.logger = new Logger(`PeriodicTask:${options.name}`);
    this.runs = metrics.counter('hookline_periodic_task_runs_total', 'Runs of periodic tasks, by outcome', [
      'task',
      'outcome',
    ]);
    this.duration = metrics.histogram(
      'hookline_periodic_task_duration_seconds',
      'How long runs of periodic tasks took (runs that settled)',
      ['task'],
      [0.005, 0.025, 0.1, 0.5, 1, 5, 30],
    );
  }

  /** Plans the first run one pause from now. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Plans no more runs; aborts a running job and waits for it up to stopGraceMs. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const running = this.running;
    if (!running) return;
    running.abort.abort(new Error(`${this.options.name} stopped`));
    const grace = this.options.stopGraceMs ?? Math.min(this.options.deadlineMs, DEFAULT_STOP_GRACE_MS);
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      running.settled.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), grace))),
    ]);
    clearTimeout(timer);
    if (gaveUp) this.logger.warn({ graceMs: grace }, 'run still going at shutdown; left behind');
  }

  /** Runs the job unless a run is under way; resolves when it settled or passed its deadline. */
  private async runOnce(): Promise<void> {
    if (this.running) {
      this.count('skipped');
      return;
    }
    const abort = new AbortController();
    const startedAt = performance.now();
    let timedOut = false;
    const settled = (async () => this.options.job(abort.signal))().then(
      () => this.finished('ok', startedAt, timedOut),
      (err: unknown) => {
        this.finished('error', startedAt, timedOut);
        // A run aborted at its deadline or by stop() was logged there.
        if (!abort.signal.aborted) this.logger.warn({ err: String(err) }, 'run failed; the next one is planned');
      },
    );
    const running = { settled: settled.finally(() => (this.running = undefined)), abort };
    this.running = running;
    let deadline: NodeJS.Timeout | undefined;
    timedOut = await Promise.race([
      running.settled.then(() => false),
      new Promise<boolean>((resolve) => (deadline = setTimeout(() => resolve(true), this.options.deadlineMs))),
    ]);
    clearTimeout(deadline);
    if (timedOut) {
      this.count('timeout');
      this.logger.warn({ deadlineMs: this.options.deadlineMs }, 'run passed its deadline; aborted');
      abort.abort(new Error(`${this.options.name} passed its deadline of ${this.options.deadlineMs} ms`));
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const pause = this.options.everyMs + Math.random() * (this.options.jitterMs ?? 0);
    this.timer = setTimeout(() => void this.runOnce().finally(() => this.schedule()), pause);
    // A pending run is no reason to keep the process alive.
    this.timer.unref();
  }

  private finished(outcome: 'ok' | 'error', startedAt: number, timedOut: boolean): void {
    this.duration.observe({ task: this.options.name }, (performance.now() - startedAt) / 1000);
    // A run that passed its deadline was counted as a timeout then.
    if (!timedOut) this.count(outcome);
  }

  private count(outcome: Outcome): void {
    this.runs.inc({ task: this.options.name, outcome });
  }
}
