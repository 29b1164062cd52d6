/**
 * Failed logins are counted in fixed windows of `windowMs`, shared by every registry instance
 * through the database. A fixed window lets at most twice the limit through around a window's
 * edge, which still bounds guessing to a handful of passwords per window.
 */
export interface FailureWindow {
  /** Start of the window `now` falls in (ms since the epoch), part of the counter's id. */
  start: number;
  end: number;
}

export function failureWindow(now: number, windowMs: number): FailureWindow {
  const start = now - (now % windowMs);
  return { start, end: start + windowMs };
}

/** Whole seconds until the window ends: the Retry-After of a refused login (at least 1). */
export function retryAfterSeconds(window: FailureWindow, now: number): number {
  return Math.max(1, Math.ceil((window.end - now) / 1000));
}

/** Counter ids: an email and a client address never share one. */
export const attemptKey = {
  email: (email: string): string => `email:${email}`,
  address: (address: string): string => `address:${address}`,
};
