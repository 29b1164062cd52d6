import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { NatsClient } from '@hookline/messaging';
import { startNats, type RunningServer } from '@hookline/testing';
import { runChildScript } from '../child-script';
import type { CpuMeter } from '../cpu-meter';
import { closedLoop, paced } from '../load';
import type { RawSenderConfig, RawSenderResult } from '../raw-sender';
import { fmtRate, log } from '../stats';
import { Tally } from '../tally';
import type { EndToEndConfig } from './config';
import type { Receipts } from './receipts';
import type { RunRow, UndiciRun } from './results';

export interface RawContext {
  config: EndToEndConfig;
  cpu: CpuMeter;
  receipts: Receipts;
}

/** Runs raw-sender.ts with the config; `onReady` runs once a jetstream consumer exists. */
const rawSender = (config: RawSenderConfig, onReady?: () => Promise<void>): Promise<RawSenderResult> =>
  runChildScript<RawSenderResult>('raw-sender.js', config, `raw sender (${config.mode})`, { onReady });

function rawBody(messageId: string, padding: string): string {
  return JSON.stringify({
    rule: { _type: 'webhook', Name: 'bench', TargetUrl: 'http://127.0.0.1/hook', ObjectTypes: ['Defect'] },
    message: { message_id: messageId, action: 'Created', object_type: 'Defect', state: { Name: { value: padding } } },
  });
}

/** undici alone, closed loop, in the raw sender's process: what one process can POST here. */
async function rawUndici({ config, cpu }: RawContext, urls: string[], bodyPadding: string): Promise<UndiciRun> {
  log('raw: undici alone ...');
  cpu.begin();
  const result = await rawSender({
    mode: 'undici',
    urls,
    count: config.rawUndiciRequests,
    concurrency: config.concurrency,
    connectionsPerOrigin: config.connectionsPerOrigin,
    body: rawBody('raw-undici', bodyPadding),
  });
  const cpuLine = `raw sender ${result.cpuPercent}%, ${cpu.end().percent()}`;
  const rate = result.sent / result.seconds;
  log(`  ${fmtRate(rate)} requests/s; CPU ${cpuLine}`);
  return { result, rate, cpuLine };
}

/**
 * The raw JetStream + undici pipeline, on a nats-server of its own that stays up (idle) beside the
 * stack, so each of its runs can sit right before the stack run it is compared with: this
 * machine's speed drifts by a fifth within minutes, and a raw max measured minutes earlier
 * compared the stack with a different machine.
 */
class RawPipeline {
  private runs = 0;

  private constructor(
    private readonly ctx: RawContext,
    private readonly nats: RunningServer,
    private readonly client: NatsClient,
    private readonly urls: string[],
    private readonly bodyPadding: string,
  ) {}

  static async start(ctx: RawContext, urls: string[], bodyPadding: string): Promise<RawPipeline> {
    const nats = await startNats({ private: true });
    const pid = /\(pid (\d+)\)/.exec(nats.source)?.[1];
    if (pid) ctx.cpu.name(Number(pid), 'raw nats-server');
    const client = await NatsClient.connect(nats.url, 'bench-raw-publisher');
    await client.jsm.streams.add({
      name: 'RAWBENCH',
      subjects: ['rawbench.>'],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    return new RawPipeline(ctx, nats, client, urls, bodyPadding);
  }

  /** Closed loop: the parent publishes with rawPublishWindow in flight. */
  max(name: string): Promise<RunRow> {
    const { rawJsMessages, rawPublishWindow } = this.ctx.config;
    return this.run(name, rawJsMessages, (run) =>
      closedLoop(rawJsMessages, rawPublishWindow, 60_000, (i) => this.publish(run, i)),
    );
  }

  paced(name: string, perSecond: number): Promise<RunRow> {
    const { pacedSeconds } = this.ctx.config;
    return this.run(name, Math.round(perSecond * pacedSeconds), (run) =>
      paced(perSecond, pacedSeconds, (i) => this.publish(run, i)),
    );
  }

  async stop(): Promise<void> {
    await this.client.close();
    await this.nats.stop();
  }

  private publish(run: Tally, i: number): Promise<unknown> {
    const id = `${run.name}-${i}`;
    run.sent(id);
    return this.client.js.publish(`rawbench.${i % this.ctx.config.receivers}`, rawBody(id, this.bodyPadding), {
      msgID: id,
    });
  }

  private async run(name: string, count: number, drive: (run: Tally) => Promise<unknown>): Promise<RunRow> {
    const { config, cpu, receipts } = this.ctx;
    const run = new Tally(name, count);
    receipts.current = run;
    cpu.begin();
    const sent = await rawSender(
      {
        mode: 'jetstream',
        natsUrl: this.nats.url,
        stream: 'RAWBENCH',
        durable: `raw-${++this.runs}`,
        urls: this.urls,
        count,
        concurrency: config.concurrency,
        connectionsPerOrigin: config.connectionsPerOrigin,
      },
      async () => {
        await drive(run);
      },
    );
    const complete = await run.complete(config.drainTimeoutMs);
    receipts.current = undefined;
    const use = cpu.end();
    use.used.set('raw sender', (sent.cpuPercent / 100) * sent.seconds);
    log(
      `  ${fmtRate(run.deliveriesPerSecond)} deliveries/s, p50 ${run.p(0.5).toFixed(1)} ms, p99 ${run.p(0.99).toFixed(1)} ms, ` +
        `${run.seen.size}/${run.expected} delivered; CPU ${use.percent()}; CPU ms per delivery ${use.perDelivery(run.seen.size)}`,
    );
    return { run: name, tally: run, cpu: use, complete };
  }
}

/**
 * The raw limit the stack is compared with: undici alone once, then the raw pipeline's max before
 * each round of max runs and once at half its median max. With BENCH_RAW_MAX none of it runs and
 * that figure stands for every round's max.
 */
export class RawLimit {
  /** The raw pipeline's runs, in order. */
  readonly rows: RunRow[] = [];

  private constructor(
    private readonly fixedMax: number | undefined,
    readonly undici: UndiciRun | undefined,
    private readonly pipeline: RawPipeline | undefined,
  ) {}

  static async start(ctx: RawContext, urls: string[]): Promise<RawLimit> {
    const { fixedRawMax } = ctx.config;
    if (fixedRawMax !== undefined) return new RawLimit(fixedRawMax, undefined, undefined);
    // About the size of the fan-out payloads ({rule, message} of a small Defect change).
    const bodyPadding = 'x'.repeat(ctx.config.rawBodyPadding);
    const undici = await rawUndici(ctx, urls, bodyPadding);
    return new RawLimit(undefined, undici, await RawPipeline.start(ctx, urls, bodyPadding));
  }

  /** The raw pipeline's max measured now (BENCH_RAW_MAX instead, if set). */
  async max(round: number): Promise<number> {
    if (!this.pipeline) return this.fixedMax!;
    log(`raw: JetStream + undici pipeline at max (round ${round}) ...`);
    const row = await this.pipeline.max(`raw JetStream + undici, max (round ${round})`);
    this.rows.push(row);
    return row.tally.deliveriesPerSecond;
  }

  /** The raw pipeline at half its median max, for the paced runs' p99 to be compared with. */
  async half(rawMax: number): Promise<RunRow | undefined> {
    if (!this.pipeline) return undefined;
    const rate = Math.round(rawMax / 2);
    log(`raw: JetStream + undici pipeline at ${rate}/s (half its median max) ...`);
    const row = await this.pipeline.paced(`raw JetStream + undici, ${rate}/s`, rate);
    this.rows.push(row);
    return row;
  }

  async stop(): Promise<void> {
    await this.pipeline?.stop();
  }
}
