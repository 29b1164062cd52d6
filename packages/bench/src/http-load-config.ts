/** What the public-path bench tells its load generator (http-load.ts), and what it answers. */
export interface HttpLoadConfig {
  /** The front door's origin. */
  url: string;
  /** An integration key per tenant; change n goes to the tenant `route` names. */
  keys: string[];
  /** Webhooks per tenant: a fan-out-1 change names one of them, a fan-out-10 change all. */
  webhooksPerTenant: number;
  fanout: 1 | 10;
  /** Changes per request: 1 sends a single change, more a JSON array (the batch form). */
  batch: number;
  /** Requests to send (max), or requests per second for `seconds` (paced). */
  mode: 'max' | 'paced';
  requests: number;
  perSecond: number;
  seconds: number;
  /** Requests in flight at once at max; the pool's keep-alive sockets. */
  inFlight: number;
  connections: number;
  /** Stop sending after this long at max. */
  limitMs: number;
  prefix: string;
}

export interface HttpLoadResult {
  requests: number;
  /** Changes in requests answered 202. */
  accepted: number;
  /** Requests answered otherwise, or failed. */
  failed: number;
  firstError?: string;
  seconds: number;
  /** Each request's round trip, ms. */
  latencies: number[];
}

/** Tenant and Route of change n: fan-out 1 walks a tenant's webhooks, then the next tenant's, so consecutive changes reach every receiver in turn. */
export function routeOf(
  n: number,
  fanout: 1 | 10,
  tenants: number,
  webhooksPerTenant: number,
): { tenant: number; route: string } {
  if (fanout === 10) return { tenant: n % tenants, route: 'all' };
  return { tenant: Math.floor(n / webhooksPerTenant) % tenants, route: `k${n % webhooksPerTenant}` };
}
