import type { AttemptRequest, DeliveryErrorKind, DeliveryRetryPolicy } from '@hookline/contracts';
import type { AttemptResult, RetryPolicy } from '@hookline/delivery';

/** What one attempt came to, over HTTP or through a tunnel, before the retry policy is applied. */
export interface AttemptReport {
  kind: 'success' | 'retry' | 'failed' | 'gone';
  errorKind?: DeliveryErrorKind;
  status?: number;
  latencyMs: number;
  responseExcerpt?: string;
  /** The receiver's Retry-After header. */
  retryAfter?: string;
  error?: string;
  /** What was sent, masked for the delivery log; absent when nothing was. */
  request?: AttemptRequest;
  responseHeaders?: Record<string, string>;
}

/** An attempt that never reached the receiver: refused target, bad job, unavailable token. */
export function notSent(errorKind: DeliveryErrorKind, error: string, retryable: boolean): AttemptReport {
  return { kind: retryable ? 'retry' : 'failed', errorKind, error, latencyMs: 0 };
}

/** The delivery package's result in outcome terms; a status failure gets a readable message. */
export function fromAttemptResult(result: AttemptResult): AttemptReport {
  const statusError =
    result.errorKind === 'status' || result.errorKind === 'redirect' ? `HTTP ${result.status}` : undefined;
  const error = result.error ?? statusError;
  return {
    kind: result.kind,
    latencyMs: result.latencyMs,
    responseExcerpt: result.responseExcerpt,
    ...(result.errorKind !== undefined && { errorKind: result.errorKind }),
    ...(result.status !== undefined && { status: result.status }),
    ...(result.retryAfter !== undefined && { retryAfter: result.retryAfter }),
    ...(result.responseHeaders !== undefined && { responseHeaders: result.responseHeaders }),
    ...(error !== undefined && { error }),
  };
}

/**
 * The webhook's RetryOnStatus decides which unsuccessful statuses are retried (default: BMC's list).
 * 2xx, 410 and redirects keep their meaning; timeouts and connection errors are always retried.
 */
export function applyRetryOnStatus(report: AttemptReport, retryOnStatus: readonly number[]): AttemptReport {
  if (report.errorKind !== 'status' || report.status === undefined || report.kind === 'gone') return report;
  return { ...report, kind: retryOnStatus.includes(report.status) ? 'retry' : 'failed' };
}

/** Failures that say the origin itself is unwell, as opposed to it rejecting this one request. */
export function countsAgainstOrigin(report: AttemptReport): boolean {
  if (report.errorKind === 'timeout' || report.errorKind === 'connection' || report.errorKind === 'invalid-http')
    return true;
  if (report.errorKind === 'no-listener') return true;
  return report.status !== undefined && report.status >= 500;
}

/** `InitialDelayMs * BackoffMultiplier^(n-1)` before retry n, as the delivery package's list backoff. */
export function retryPolicyOf(policy: DeliveryRetryPolicy, maxDelayMs: number): RetryPolicy {
  const retries = Math.max(0, Math.floor(policy.MaxRetries));
  const delaysMs = Array.from(
    { length: Math.max(1, retries) },
    (_, i) => policy.InitialDelayMs * policy.BackoffMultiplier ** i,
  );
  return { maxAttempts: retries + 1, backoff: 'list', delaysMs, maxDelayMs };
}
