import { performance } from 'node:perf_hooks';
import { sleep } from './tally';

/** Calls `send(i)` for i = 0.. at `perSecond`, for `seconds`, without waiting for answers (open loop). */
export async function paced(
  perSecond: number,
  seconds: number,
  send: (i: number) => Promise<unknown>,
): Promise<number> {
  const total = Math.round(perSecond * seconds);
  const started = performance.now();
  const pending = new Set<Promise<unknown>>();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1);
    for (; i < due; i++) {
      const p = send(i).finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(2);
  }
  await Promise.all(pending);
  return total;
}

/** Calls `send(i)` for i = 0..count-1 with `inFlight` callers at once, stopping early after `limitMs`. */
export async function closedLoop(
  count: number,
  inFlight: number,
  limitMs: number,
  send: (i: number) => Promise<unknown>,
): Promise<number> {
  const deadline = performance.now() + limitMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count && performance.now() < deadline) await send(next++);
    }),
  );
  return next;
}
