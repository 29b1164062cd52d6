/**
 * The raw limit the end-to-end benchmark compares Hookline against, run as a child process of
 * end-to-end/raw.ts so that, like the dispatcher, it has a process (and a core) of its own
 * while the receivers and the load stay in the parent:
 *
 * - `undici`: POSTs `count` bodies to the receivers with keep-alive pools, closed loop;
 * - `jetstream`: a pull consumer on a workqueue stream that POSTs every message to the receiver
 *   named by its subject (`<stream subject>.<receiver index>`) and acks it once answered. The
 *   parent publishes; this is the JetStream + undici pipeline with nothing else in it.
 *
 * Config comes as one JSON argument; the result is printed as one `RESULT {json}` line.
 */
import { performance } from 'node:perf_hooks';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { NatsClient } from '@hookline/messaging';
import { Pool } from 'undici';

export interface RawSenderConfig {
  mode: 'undici' | 'jetstream';
  /** Receiver base URLs (http://127.0.0.1:port); a body goes to `${url}/hook`. */
  urls: string[];
  /** Requests (undici) or messages (jetstream) to send before exiting. */
  count: number;
  /** Requests in flight at once (the dispatcher's DISPATCH_CONCURRENCY). */
  concurrency: number;
  /** Keep-alive sockets per receiver (the dispatcher's ORIGIN_CONCURRENCY). */
  connectionsPerOrigin: number;
  /** undici mode: the body sent. */
  body?: string;
  natsUrl?: string;
  stream?: string;
  durable?: string;
}

export interface RawSenderResult {
  sent: number;
  failed: number;
  seconds: number;
  /** undici mode: request round trips in ms. */
  latencies?: number[];
  /** CPU this process used while sending, in percent of one core. */
  cpuPercent: number;
}

function cpuPercent(since: NodeJS.CpuUsage, seconds: number): number {
  const used = process.cpuUsage(since);
  return Math.round((used.user + used.system) / 10_000 / seconds);
}

const HEADERS = { 'content-type': 'application/json', 'user-agent': 'hookline-bench' };

function pools(config: RawSenderConfig): Pool[] {
  return config.urls.map((url) => new Pool(url, { connections: config.connectionsPerOrigin }));
}

async function post(pool: Pool, body: string | Uint8Array): Promise<boolean> {
  const response = await pool.request({ path: '/hook', method: 'POST', headers: HEADERS, body });
  await response.body.dump();
  return response.statusCode < 300;
}

async function rawUndici(config: RawSenderConfig): Promise<RawSenderResult> {
  const targets = pools(config);
  const body = config.body ?? '{}';
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: config.concurrency }, async () => {
      while (next < config.count) {
        const i = next++;
        const t = performance.now();
        if (!(await post(targets[i % targets.length], body).catch(() => false))) failed++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(targets.map((p) => p.close()));
  return { sent: config.count, failed, seconds, latencies, cpuPercent: cpuPercent(cpuAtStart, seconds) };
}

async function rawJetStream(config: RawSenderConfig): Promise<RawSenderResult> {
  const client = await NatsClient.connect(config.natsUrl!, 'bench-raw-sender');
  const stream = config.stream!;
  const durable = config.durable ?? 'raw';
  await client.jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: config.concurrency * 4,
  });
  const consumer = await client.js.consumers.get(stream, durable);
  const targets = pools(config);
  process.stdout.write('READY\n');

  let free = config.concurrency;
  let wake: (() => void) | undefined;
  let done = 0;
  let failed = 0;
  let started = 0;
  let cpuAtStart = process.cpuUsage();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const messages = await consumer.consume({ max_messages: config.concurrency * 2 });
  const pulling = (async () => {
    for await (const msg of messages) {
      if (started === 0) {
        started = performance.now();
        cpuAtStart = process.cpuUsage();
      }
      while (free === 0) await new Promise<void>((resolve) => (wake = resolve));
      free--;
      const receiver = Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
      void post(targets[receiver % targets.length], msg.data)
        .catch(() => false)
        .then((ok) => {
          if (ok) msg.ack();
          else {
            failed++;
            msg.nak(100);
          }
          free++;
          wake?.();
          wake = undefined;
          if (ok && ++done === config.count) finish();
        });
    }
  })();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuPercent(cpuAtStart, seconds);
  await messages.close();
  await pulling;
  await client.jsm.consumers.delete(stream, durable);
  await Promise.all(targets.map((p) => p.close()));
  await client.close();
  return { sent: done, failed, seconds, cpuPercent: cpu };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as RawSenderConfig;
  const result = config.mode === 'undici' ? await rawUndici(config) : await rawJetStream(config);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
