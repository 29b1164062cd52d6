import { Inject, Injectable } from '@nestjs/common';
import { checkHttpPolicy, resolveTarget, type Cidr, type HttpPolicy, type ResolvedTarget } from '@hookline/delivery';
import { BoundedMap } from '@hookline/service-kit';
import { DispatcherConfig } from '../config/dispatcher.config';

export type TargetCheck =
  | { ok: true; target: ResolvedTarget }
  | {
      ok: false;
      reason: string;
      /** DNS trouble may clear up; a refused address or scheme will not. */ retryable: boolean;
    };

/**
 * How long a URL that passed stays passed, its pinned address reused for as long, as a DNS cache
 * would: checking every job costs CPU and name lookups (docs/decisions/010-delivery-hot-path.md).
 */
const PASSED_FOR_MS = 5_000;
/** URLs remembered as passed. */
const MAX_PASSED_URLS = 10_000;

/**
 * The one gate every outgoing HTTP request passes (webhook targets and sign-in URLs alike):
 * the HTTP policy (Octane: HTTPS always, HTTP only when allowed and on allowed ports) and the SSRF
 * guard, which resolves the host once so the caller can connect to exactly the address checked.
 */
@Injectable()
export class TargetPolicy {
  private readonly policy: HttpPolicy;
  private readonly allowedCidrs: readonly Cidr[];
  private readonly passed = new BoundedMap<string, { until: number; target: ResolvedTarget }>(MAX_PASSED_URLS);

  constructor(@Inject(DispatcherConfig) config: DispatcherConfig) {
    ({ http: this.policy, allowedCidrs: this.allowedCidrs } = config.deliveryPolicy());
  }

  async check(url: string): Promise<TargetCheck> {
    const now = Date.now();
    const recent = this.passed.get(url);
    if (recent && recent.until > now) return { ok: true, target: recent.target };
    const verdict = checkHttpPolicy(url, this.policy);
    if (!verdict.allowed) return { ok: false, reason: verdict.reason, retryable: false };
    const resolved = await resolveTarget(url, { allowedCidrs: this.allowedCidrs });
    if (!resolved.ok) return { ok: false, reason: resolved.reason, retryable: resolved.retryable };
    this.passed.set(url, { until: now + PASSED_FOR_MS, target: resolved.target });
    return { ok: true, target: resolved.target };
  }
}
