import { performance } from 'node:perf_hooks';
import { quantile } from './stats';

/** Wall-clock ms with sub-ms precision, comparable across this machine's processes. */
export const now = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Receipts of one run. */
export class Tally {
  readonly sentAt = new Map<string, number>();
  readonly seen = new Set<string>();
  readonly latencies: number[] = [];
  /** When each of `latencies` was sent, for BENCH_TRACE's latency by second. */
  readonly sendTimes: number[] = [];
  duplicates = 0;
  /** Requests that reached a bad receiver (only a hanging one gets them; not counted as deliveries). */
  toBad = 0;
  bytes = 0;
  firstSend = Number.POSITIVE_INFINITY;
  lastReceipt = 0;
  private waiter?: () => void;

  constructor(
    readonly name: string,
    /** Deliveries expected at healthy receivers. */
    public expected = 0,
  ) {}

  sent(messageId: string): void {
    const t = now();
    this.sentAt.set(messageId, t);
    if (t < this.firstSend) this.firstSend = t;
  }

  /**
   * One request at a receiver. `sentAt` is for changes sent by another process, which writes the
   * time into the change itself; otherwise it is the time `sent` recorded.
   */
  received(key: string, messageId: string, at: number, bytes: number, sentAt = this.sentAt.get(messageId)): void {
    if (sentAt === undefined) return;
    if (this.seen.has(key)) {
      this.duplicates++;
      return;
    }
    this.seen.add(key);
    this.latencies.push(at - sentAt);
    this.sendTimes.push(sentAt);
    this.bytes += bytes;
    if (sentAt < this.firstSend) this.firstSend = sentAt;
    if (at > this.lastReceipt) this.lastReceipt = at;
    if (this.seen.size >= this.expected) this.waiter?.();
  }

  /** Resolves once every expected delivery arrived, or after `timeoutMs`. */
  async complete(timeoutMs: number): Promise<boolean> {
    if (this.seen.size >= this.expected) return true;
    const done = new Promise<void>((resolve) => (this.waiter = resolve));
    // Cleared once done: a pending timer kept the bench process alive for minutes after its last run.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      await Promise.race([done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    return this.seen.size >= this.expected;
  }

  get deliveriesPerSecond(): number {
    return this.seen.size / ((this.lastReceipt - this.firstSend) / 1000);
  }

  p(q: number): number {
    return quantile(this.latencies, q);
  }

  /** p50/p99 of the deliveries sent in each second of the run, which starts at the time given first. */
  bySecond(): string {
    const seconds: number[][] = [];
    this.latencies.forEach((latency, i) => {
      const second = Math.floor((this.sendTimes[i] - this.firstSend) / 1000);
      (seconds[second] ??= []).push(latency);
    });
    const bySecond = seconds
      .map((l, second) => `${second}s: ${quantile(l, 0.5).toFixed(0)}/${quantile(l, 0.99).toFixed(0)}`)
      .join(', ');
    return `from ${new Date(this.firstSend).toISOString()}: ${bySecond}`;
  }
}
