import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { checkHttpPolicy, type HttpPolicy } from './http-policy';
import { classifyAddress, isAddressAllowed, parseIpAddress, type AddressClassification, type Cidr } from './ssrf';

/** The operator's delivery policy, the same settings the dispatcher enforces on every attempt. */
export interface DeliveryPolicy {
  http: HttpPolicy;
  allowedCidrs: readonly Cidr[];
}

export type DeliveryPolicySetting = 'WEBHOOK_ALLOW_HTTP' | 'WEBHOOK_HTTP_PORTS' | 'WEBHOOK_ALLOWED_CIDRS';

/** Why a webhook target can never be delivered to, and the setting that decides it. */
export interface UndeliverableTarget {
  setting: DeliveryPolicySetting;
  reason: string;
}

export interface TargetPolicyOptions {
  /** Replaces `dns.lookup(host, { all: true })`. */
  resolve?: (hostname: string) => Promise<readonly LookupAddress[]>;
  /** How long a lookup may take before the name is given the benefit of the doubt. */
  lookupTimeoutMs?: number;
}

const DEFAULT_LOOKUP_TIMEOUT_MS = 2_000;

const defaultResolve = (hostname: string): Promise<LookupAddress[]> =>
  dnsLookup(hostname, { all: true, order: 'verbatim' });

/**
 * A `resolve` that asks DNS once per name within `ttlMs`, failures included: a burst of webhooks to
 * one host (a script creating hundreds) costs one lookup, not one each.
 */
export function cachingResolve(
  ttlMs = 60_000,
  maxNames = 1_000,
  resolve: (hostname: string) => Promise<readonly LookupAddress[]> = defaultResolve,
): (hostname: string) => Promise<readonly LookupAddress[]> {
  const cache = new Map<string, { until: number; answer: Promise<readonly LookupAddress[]> }>();
  return (hostname) => {
    const now = Date.now();
    const hit = cache.get(hostname);
    if (hit && hit.until > now) return hit.answer;
    cache.delete(hostname);
    if (cache.size >= maxNames) cache.delete(cache.keys().next().value!);
    const answer = resolve(hostname);
    // A failure is an answer too; each caller handles it, none is left unhandled here.
    answer.catch(() => undefined);
    cache.set(hostname, { until: now + ttlMs, answer });
    return answer;
  };
}

function describe(address: AddressClassification): string {
  const via = address.embeddedIPv4 ? ` embedding ${address.embeddedIPv4}` : '';
  return `${address.address}${via} (${address.category})`;
}

/** Resolves within the timeout; undefined when the name does not resolve (now) or takes too long. */
async function lookupWithin(
  hostname: string,
  resolve: (hostname: string) => Promise<readonly LookupAddress[]>,
  timeoutMs: number,
): Promise<readonly LookupAddress[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((done) => {
    timer = setTimeout(() => done(undefined), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([resolve(hostname).catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why the dispatcher, under `policy`, could never deliver to `url`: plain HTTP while it is off or
 * on a port it may not use, or a host that is (or resolves only to) addresses the SSRF guard
 * refuses. Checked when a webhook is written, so a user learns it then rather than from a failed
 * delivery. A name that resolves to at least one allowed address, or does not resolve right now,
 * passes: DNS may change, and the dispatcher checks every attempt anyway.
 */
export async function undeliverableTarget(
  url: string,
  policy: DeliveryPolicy,
  options: TargetPolicyOptions = {},
): Promise<UndeliverableTarget | undefined> {
  const verdict = checkHttpPolicy(url, policy.http);
  if (!verdict.allowed)
    return { setting: policy.http.allowHttp ? 'WEBHOOK_HTTP_PORTS' : 'WEBHOOK_ALLOW_HTTP', reason: verdict.reason };
  const hostname = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = parseIpAddress(hostname);
  let addresses: AddressClassification[];
  if (literal) {
    addresses = [classifyAddress(hostname)!];
  } else {
    const found = await lookupWithin(
      hostname,
      options.resolve ?? defaultResolve,
      options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS,
    );
    const classified = (found ?? []).flatMap((a) => classifyAddress(a.address) ?? []);
    if (classified.length === 0) return undefined;
    addresses = classified;
  }
  if (addresses.some((a) => isAddressAllowed(a, policy.allowedCidrs))) return undefined;
  const metadata = addresses.some((a) => a.category === 'metadata');
  const refused = literal
    ? `${describe(addresses[0])} is`
    : `${hostname} resolves only to ${addresses.map(describe).join(', ')}, which are`;
  return {
    setting: 'WEBHOOK_ALLOWED_CIDRS',
    reason: metadata
      ? `${refused} cloud metadata, never allowed`
      : `${refused} not public and outside WEBHOOK_ALLOWED_CIDRS`,
  };
}
