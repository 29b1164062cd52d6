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
import { routeOf, type HttpLoadConfig, type HttpLoadResult } from './http-load-config';
import { now } from './tally';

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
