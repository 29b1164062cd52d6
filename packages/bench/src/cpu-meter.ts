import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Processes whose CPU is the bench's own (load, receivers, raw senders' parents), not the stack's. */
const isBench = (name: string): boolean => name.startsWith('bench');

/** CPU seconds each process used over a span of wall time. */
export class CpuUse {
  constructor(
    readonly seconds: number,
    readonly used: Map<string, number>,
  ) {}

  private sorted(): [string, number][] {
    return [...this.used].filter(([, cpu]) => cpu > 0).sort((a, b) => b[1] - a[1]);
  }

  /** The measured processes but the bench's own, busiest first, with their CPU seconds. */
  stack(): [string, number][] {
    return this.sorted().filter(([name]) => !isBench(name));
  }

  /** CPU seconds of the measured processes but the bench's own. */
  stackTotal(): number {
    return this.stack().reduce((sum, [, cpu]) => sum + cpu, 0);
  }

  /** Percent of one core per process over the run, busiest first. */
  percent(): string {
    return this.sorted()
      .map(([name, cpu]) => `${name} ${Math.round((cpu / this.seconds) * 100)}%`)
      .join(', ');
  }

  /** CPU ms each process spent per delivery, and their sum. */
  perDelivery(deliveries: number): string {
    const rows = this.stack();
    const ms = (cpu: number) => ((cpu * 1000) / deliveries).toFixed(2);
    const shares = rows.filter(([, cpu]) => Number(ms(cpu)) > 0).map(([name, cpu]) => `${name} ${ms(cpu)}`);
    return `${ms(this.stackTotal())} (${shares.join(', ')})`;
  }
}

/** Per-process CPU of this process tree, from /proc (Linux only; empty elsewhere). */
export class CpuMeter {
  private start = new Map<number, { name: string; ticks: number }>();
  private startedAt = 0;
  /** Names given to processes that their command line does not tell apart. */
  private readonly names = new Map<number, string>();

  /** `self`: what this process is called in the results; a name starting with `bench` is not the stack's. */
  constructor(private readonly self: string) {}

  name(pid: number, name: string): void {
    this.names.set(pid, name);
  }

  begin(): void {
    this.start = this.sample();
    this.startedAt = performance.now();
  }

  /** CPU seconds per process name since `begin`. */
  end(): CpuUse {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const used = new Map<string, number>();
    for (const [pid, { name, ticks }] of this.sample()) {
      const before = this.start.get(pid)?.ticks ?? 0;
      // Clock ticks are 1/100 s (USER_HZ).
      used.set(name, (used.get(name) ?? 0) + (ticks - before) / 100);
    }
    return new CpuUse(seconds, used);
  }

  private sample(): Map<number, { name: string; ticks: number }> {
    const result = new Map<number, { name: string; ticks: number }>();
    if (!existsSync('/proc/self/stat')) return result;
    const parents = new Map<number, number>();
    const stats = new Map<number, { ticks: number; comm: string }>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const fields = stat.slice(close + 2).split(' ');
        parents.set(Number(entry), Number(fields[1]));
        // utime + stime, in clock ticks (USER_HZ, 100 on Linux): ticks per second = percent of a core.
        stats.set(Number(entry), {
          ticks: Number(fields[11]) + Number(fields[12]),
          comm: stat.slice(stat.indexOf('(') + 1, close),
        });
      } catch {
        // exited meanwhile
      }
    }
    const inTree = (pid: number): boolean => {
      for (let p = pid, hops = 0; p > 1 && hops < 20; p = parents.get(p) ?? 0, hops++)
        if (p === process.pid) return true;
      return false;
    };
    for (const [pid, { ticks, comm }] of stats) {
      if (!inTree(pid)) continue;
      let name = this.names.get(pid) ?? comm;
      if (pid === process.pid) name = this.self;
      else if (!this.names.has(pid)) {
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          const app = /apps\/([\w-]+)\/dist\/main\.js/.exec(cmd);
          if (app) name = app[1];
          else if (cmd.includes('raw-sender')) name = 'raw sender';
          else if (comm.startsWith('ferretdb')) name = 'ferretdb';
        } catch {
          // exited meanwhile
        }
      }
      result.set(pid, { name, ticks });
    }
    return result;
  }
}
