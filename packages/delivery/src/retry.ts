/** Statuses retried (BMC Helix seed); any other non-2xx fails without a retry. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 425, 429, 502, 503, 504]);

/** 410 Gone: the receiver asks to stop; Rally deletes the webhook on it. */
export const GONE_STATUS = 410;

export type AttemptKind = 'success' | 'retry' | 'failed' | 'gone';
export type AttemptErrorKind = 'timeout' | 'connection' | 'invalid-http' | 'redirect' | 'status';

export interface AttemptOutcome {
  kind: AttemptKind;
  errorKind?: AttemptErrorKind;
}

/** 2xx succeeds, 410 is gone, 3xx fails (redirects are never followed), see RETRYABLE_STATUSES. */
export function classifyStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'success' };
  if (status === GONE_STATUS) return { kind: 'gone', errorKind: 'status' };
  if (status >= 300 && status < 400) return { kind: 'failed', errorKind: 'redirect' };
  return { kind: RETRYABLE_STATUSES.has(status) ? 'retry' : 'failed', errorKind: 'status' };
}

/**
 * Timeouts and connection errors are retried. A response that is not valid HTTP is not: the
 * receiver answered, wrongly, and would do so again (Octane blocks such URLs).
 */
export function classifyFailure(errorKind: 'timeout' | 'connection' | 'invalid-http'): AttemptOutcome {
  return { kind: errorKind === 'invalid-http' ? 'failed' : 'retry', errorKind };
}

export interface RetryPolicy {
  /** Attempts in all, the first included; 1 never retries (Rally's behaviour). */
  maxAttempts: number;
  backoff: 'exponential' | 'fixed' | 'list';
  /** For `list`: retry n waits delaysMs[n - 1]; the last entry repeats if attempts outnumber it. */
  delaysMs?: readonly number[];
  /** For `fixed`, and the first delay of `exponential` (which doubles). Default 10 s. */
  initialDelayMs?: number;
  /** Cap on every delay, one asked for by Retry-After included. Default 1 h. */
  maxDelayMs?: number;
}

const DEFAULT_INITIAL_DELAY_MS = 10_000;
const DEFAULT_MAX_DELAY_MS = 3_600_000;

/**
 * BMC's "three retries with incremental duration": 10 s, 1 min, 5 min. A receiver that is
 * restarting gets a quick second chance; one that is down for a deploy gets minutes.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  backoff: 'list',
  delaysMs: [10_000, 60_000, 300_000],
  maxDelayMs: DEFAULT_MAX_DELAY_MS,
};

/** `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date; null if unreadable. */
export function parseRetryAfter(value: string, now: number = Date.now()): number | null {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Date.parse would take a bare number as a year; only a date with a weekday/month name passes.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function assertDelay(ms: number, name: string): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a delay >= 0 ms`);
}

function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  switch (policy.backoff) {
    case 'list': {
      const delays = policy.delaysMs ?? [];
      if (delays.length === 0) throw new RangeError('list backoff needs delaysMs');
      delays.forEach((d) => assertDelay(d, 'delaysMs'));
      return delays[Math.min(attempt, delays.length) - 1];
    }
    case 'fixed':
    case 'exponential': {
      const initial = policy.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
      assertDelay(initial, 'initialDelayMs');
      return policy.backoff === 'fixed' ? initial : initial * 2 ** (attempt - 1);
    }
  }
}

/**
 * How long to wait after failed attempt number `attempt` (1-based), or null when the policy has
 * no attempts left. A Retry-After from the receiver is honoured when it asks for longer than the
 * backoff, and never beyond maxDelayMs, so a receiver cannot park a delivery for days.
 */
export function nextDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfter?: string | null,
  now: number = Date.now(),
): number | null {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError('maxAttempts must be an integer >= 1');
  }
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError('attempt must be an integer >= 1');
  }
  if (attempt >= policy.maxAttempts) return null;
  const cap = policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  assertDelay(cap, 'maxDelayMs');
  const asked = retryAfter ? parseRetryAfter(retryAfter, now) : null;
  return Math.min(Math.max(backoffDelayMs(policy, attempt), asked ?? 0), cap);
}

/**
 * How long a job held for its origin's open breaker stays away: at least `baseMs` (until the
 * origin may take it), plus a spread that doubles each time the job came back, up to
 * `maxSpreadMs`. The spread keeps the jobs an outage piled up from all coming back in the same
 * second (a burst that stalled every other receiver's deliveries once per breaker period), and
 * the doubling keeps a long outage's backlog from coming back ever more often.
 * `deliveries` is JetStream's delivery count of the job: 1 the first time it is held.
 */
export function holdDelayMs(
  baseMs: number,
  deliveries: number,
  maxSpreadMs: number,
  random: () => number = Math.random,
): number {
  const spread = Math.min(maxSpreadMs, baseMs * 2 ** Math.min(30, Math.max(0, deliveries - 1)));
  return Math.round(baseMs + random() * spread);
}
