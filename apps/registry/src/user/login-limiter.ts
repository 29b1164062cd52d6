/** How many failed logins a key (an email, a client address) may have within a window. */
export interface LimitRule {
  maxFailures: number;
  windowMs: number;
}

/**
 * Failed-login counter over a sliding window, one per key. A key at its limit is refused until its
 * oldest failure in the window ages out; that wait is the Retry-After. Memory is bounded: keys
 * whose failures all aged out are dropped, and past `maxKeys` the least recently failing go first.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly rule: LimitRule,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds until the key may try again, or 0 when it may try now. */
  retryAfterMs(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.rule.maxFailures) return 0;
    return recent[recent.length - this.rule.maxFailures]! + this.rule.windowMs - this.now();
  }

  recordFailure(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    // Only the last maxFailures matter for the limit; older ones would only cost memory.
    if (recent.length > this.rule.maxFailures) recent.splice(0, recent.length - this.rule.maxFailures);
    this.failures.delete(key);
    this.failures.set(key, recent);
    if (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A successful login forgets the key's failures. */
  reset(key: string): void {
    this.failures.delete(key);
  }

  /** Takes back the latest failure (an attempt counted before it turned out to succeed). */
  forgiveOne(key: string): void {
    const recent = this.recent(key);
    recent.pop();
    if (recent.length > 0) this.failures.set(key, recent);
    else this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.rule.windowMs;
    const recent = (this.failures.get(key) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.failures.delete(key);
    return recent;
  }
}
