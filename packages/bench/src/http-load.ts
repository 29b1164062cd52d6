/**
 * The public-path bench's load generator, a child process of public-path.bench.ts so that its CPU
 * is neither the stack's nor the receivers': it POSTs changes to `POST /api/v2/changes` through
 * the front door with an undici keep-alive pool, as a user's system would, one change per request
 * or `batch` changes per request, at max (closed loop) or at a fixed rate (open loop).
 *
 * Each change's `message_id` is `<prefix>-<n>@<ms>`: the wall-clock time its request was sent
 * (performance.timeOrigin + now, comparable across this machine's processes), so the parent reads
 * each delivery's latency from the receiver's body alone. Config comes as one JSON argument; the
 * result is printed as one `RESULT {json}` line.
 */
import { Pool } from 'undici';
import { closedLoop, paced } from './load';
import { now } from './tally';

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

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as HttpLoadConfig;
  const pool = new Pool(config.url, { connections: config.connections, pipelining: 1 });
  const headers = config.keys.map((key) => ({
    'content-type': 'application/json',
    authorization: `Bearer ${key}`,
    'user-agent': 'hookline-bench',
  }));
  const latencies: number[] = [];
  let accepted = 0;
  let failed = 0;
  let firstError: string | undefined;

  // Request r carries changes r*batch .. r*batch+batch-1, all for one tenant (the key's): one
  // change per request follows routeOf, batches take the tenants in turn.
  const send = async (r: number): Promise<void> => {
    const first = r * config.batch;
    const tenant =
      config.batch === 1
        ? routeOf(first, config.fanout, config.keys.length, config.webhooksPerTenant).tenant
        : r % config.keys.length;
    const sentAt = now();
    const changes = Array.from({ length: config.batch }, (_, i) => {
      const n = first + i;
      const { route } = routeOf(n, config.fanout, config.keys.length, config.webhooksPerTenant);
      return {
        message_id: `${config.prefix}-${n}@${sentAt.toFixed(3)}`,
        action: 'Created',
        object_type: 'Defect',
        object_id: `d-${n}`,
        after: { Name: `bench change ${n}`, Route: route },
      };
    });
    const body = config.batch === 1 ? changes[0] : changes;
    try {
      const response = await pool.request({
        path: '/api/v2/changes',
        method: 'POST',
        headers: headers[tenant],
        body: JSON.stringify(body),
      });
      const text = await response.body.text();
      if (response.statusCode === 202) accepted += config.batch;
      else {
        failed++;
        firstError ??= `${response.statusCode} ${text.slice(0, 300)}`;
      }
    } catch (err) {
      failed++;
      firstError ??= String(err);
    }
    latencies.push(now() - sentAt);
  };

  const started = now();
  const requests =
    config.mode === 'max'
      ? await closedLoop(config.requests, config.inFlight, config.limitMs, send)
      : await paced(config.perSecond, config.seconds, send);
  const seconds = (now() - started) / 1000;
  await pool.close();
  const result: HttpLoadResult = { requests, accepted, failed, firstError, seconds, latencies };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
