import { Logger } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamError,
  type Consumer,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type Subscription } from '@nats-io/nats-core';
import { opaqueFieldsOf, STREAMS } from '@hookline/contracts';
import { failSpan, tracingOn, type Span } from '@hookline/service-kit';
import { context as otelContext } from '@opentelemetry/api';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Counter, Histogram } from 'prom-client';
import type { ConsumerOptions } from './jetstream-event.decorator';
import { Ack, type ConsumerHandler, type Disposition, type MessageContext } from './disposition';
import type { NatsClient } from './nats-client';
import { compilePayloadCheck, type PayloadCheck } from './payload-check';
import { isApiError, JetStreamApiCodes } from './streams';
import { startProcessSpan } from './trace-headers';

const DEFAULT_CONCURRENCY = 16;
/**
 * How long an unacked message stays with this instance before the server hands it to another: what
 * a crash delays the messages it held by. A handler that takes longer is kept alive by the
 * runner's heartbeat (every third of the ack wait), so this bounds only a dead or frozen process.
 */
const DEFAULT_ACK_WAIT_MS = 15_000;
const MAX_ERROR_BACKOFF_MS = 60_000;
/**
 * Each pull request lives at most this long, and the server sends an idle heartbeat every half of
 * it: an idle consumer costs nats-server a pull, an expiry and two heartbeats per period. Stopping
 * does not wait for it: `stop` drains the pull's inbox, and nats-server drops a pull request whose
 * inbox has no interest, so nothing is left to be sent to an inbox nobody reads.
 */
const FETCH_EXPIRES_MS = 30_000;
const FETCH_RETRY_MS = 500;

export interface ConsumerMetrics {
  handled: Counter<'stream' | 'durable' | 'result'>;
  /** From a message being stored to its handler starting, first deliveries only. */
  waited: Histogram<'stream' | 'durable'>;
}

const isHeartbeatsMissed = (err: unknown): boolean =>
  err instanceof JetStreamError && err.message === 'heartbeats missed';

/** Grows 1 s, 2 s, 4 s ... up to a minute for a handler that keeps throwing. */
export function errorBackoffMs(deliveryCount: number): number {
  return Math.min(MAX_ERROR_BACKOFF_MS, 1000 * 2 ** Math.max(0, deliveryCount - 1));
}

/**
 * The payload as an instance of its class for validation. Fields marked @Opaque skip
 * class-transformer, which would copy them object by object (for a delivery job, a copy of the
 * whole body: over half the dispatcher's parsing cost), and are put back as parsed.
 */
export function toInstance(cls: ClassConstructor<object>, raw: unknown, opaque: readonly string[]): object {
  if (opaque.length === 0 || typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return plainToInstance(cls, raw) as object;
  const source = raw as Record<string, unknown>;
  const rest = { ...source };
  for (const field of opaque) delete rest[field];
  const instance = plainToInstance(cls, rest) as Record<string, unknown>;
  for (const field of opaque) if (field in source) instance[field] = source[field];
  return instance;
}

/**
 * The handlers free at the moment. The pull loop fetches no more messages than are free, so every
 * message it gets has a slot: taking one never waits.
 */
export class Slots {
  private free: number;
  private lowWater?: { count: number; resolve: () => void };

  constructor(size: number) {
    this.free = size;
  }

  get available(): number {
    return this.free;
  }

  /** Resolves once at least `count` slots are free (one caller at a time: the pull loop). */
  async whenFree(count: number): Promise<void> {
    if (this.free >= count) return;
    await new Promise<void>((resolve) => (this.lowWater = { count, resolve }));
  }

  take(): void {
    this.free--;
  }

  release(): void {
    this.free++;
    if (this.lowWater && this.free >= this.lowWater.count) {
      const { resolve } = this.lowWater;
      this.lowWater = undefined;
      resolve();
    }
  }
}

/**
 * Ends a pull at once by draining its inbox: the unsubscribe reaches nats-server, which then drops
 * the pull request, and what it sent before is still handed to the loop (which naks it while
 * stopping). `close()` alone would unsubscribe too, but drop those messages for a whole ack wait.
 */
function endPull(messages: ConsumerMessages): void {
  const { sub } = messages as ConsumerMessages & { sub?: Subscription };
  if (sub && !sub.isClosed() && !sub.isDraining()) void sub.drain().catch(() => messages.close());
  else void messages.close();
}

/** Runs one durable pull consumer: pulls, validates, calls the handler, applies its disposition. */
export class ConsumerRunner {
  private readonly logger: Logger;
  private loop?: Promise<void>;
  private stopping = false;
  /** The pull request open on the server, ended by `stop` rather than left to expire. */
  private pull?: ConsumerMessages;
  /** The messages being handled and their handlers; each heartbeat tells the server they are still in work. */
  private readonly inflight = new Map<JsMsg, Promise<void>>();
  private heartbeat?: NodeJS.Timeout;
  private readonly slots: Slots;
  /** The payload class's @Opaque fields, left out of class-transformer. */
  private readonly opaque: readonly string[];
  /** Accepts most valid payloads without class-transformer and validateSync (null: the class needs them). */
  private readonly quickCheck: PayloadCheck | null;

  constructor(
    private readonly nats: NatsClient,
    readonly options: ConsumerOptions,
    private readonly handler: ConsumerHandler,
    private readonly metrics: ConsumerMetrics,
  ) {
    this.logger = new Logger(`Consumer ${options.stream}/${options.durable}`);
    this.slots = new Slots(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.opaque = options.payload ? opaqueFieldsOf(options.payload) : [];
    this.quickCheck = options.payload ? compilePayloadCheck(options.payload) : null;
  }

  async start(): Promise<void> {
    await this.ensureConsumer();
    const consumer = await this.nats.js.consumers.get(STREAMS[this.options.stream].name, this.options.durable);
    // One timer for all messages in hand, rather than one per message: the server hears that each
    // is still in work at least every third of the ack wait.
    this.heartbeat = setInterval(() => {
      for (const msg of this.inflight.keys()) msg.working();
    }, this.ackWaitMs / 3);
    this.loop = this.run(consumer);
  }

  private get ackWaitMs(): number {
    return this.options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  }

  /** Stops pulling, hands back (nak) what arrives meanwhile, and waits for handlers already running. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pull) endPull(this.pull);
    await this.loop;
    await Promise.all([...this.inflight.values()]);
    clearInterval(this.heartbeat);
  }

  private async ensureConsumer(): Promise<void> {
    const stream = STREAMS[this.options.stream].name;
    const { durable } = this.options;
    const ackWait = nanos(this.ackWaitMs);
    const maxAckPending =
      this.options.maxAckPending ?? Math.max(1000, (this.options.concurrency ?? DEFAULT_CONCURRENCY) * 4);
    try {
      await this.nats.jsm.consumers.info(stream, durable);
      await this.nats.jsm.consumers.update(stream, durable, { ack_wait: ackWait, max_ack_pending: maxAckPending });
    } catch (err) {
      if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
      // Identical concurrent adds from two instances are idempotent on the server.
      await this.nats.jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        ack_wait: ackWait,
        max_ack_pending: maxAckPending,
        max_deliver: -1,
        deliver_policy: this.options.deliverFrom === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
        ...(this.options.filterSubject ? { filter_subject: this.options.filterSubject } : {}),
      });
    }
  }

  /**
   * Pulls only as many messages as there are free handlers, so a fetched message never waits in
   * the client: the client drops what it still holds when a pull fails (e.g. on missed
   * heartbeats while the handlers are all busy), and JetStream then offers it again only after
   * the whole ack wait. Waiting for an eighth of the handlers to be free keeps the pulls few under
   * load.
   */
  private async run(consumer: Consumer): Promise<void> {
    const concurrency = this.options.concurrency ?? DEFAULT_CONCURRENCY;
    const lowWater = Math.max(1, Math.floor(concurrency / 8));
    while (!this.stopping) {
      try {
        await this.slots.whenFree(lowWater);
        if (this.stopping) break;
        const batch = this.slots.available;
        const messages = await consumer.fetch({ max_messages: batch, expires: FETCH_EXPIRES_MS });
        this.pull = messages;
        if (this.stopping) endPull(messages);
        for await (const msg of messages) this.dispatch(msg);
        this.pull = undefined;
      } catch (err) {
        if (isHeartbeatsMissed(err)) {
          // The client gives up on a pull after two missed idle heartbeats; with the server's limit
          // (heartbeat at most half the expiry) that races the pull's own expiry on a busy
          // machine. Nothing is wrong, so pull again at once: the retry pause below made such a
          // consumer's next messages wait half a second.
          this.logger.debug('pull ended without heartbeats, pulling again');
          continue;
        }
        // Disconnected, or the server is restarting: the messages stay in the stream; pull again shortly.
        if (!this.stopping) this.logger.warn({ err: String(err) }, 'pull failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, FETCH_RETRY_MS));
      }
    }
  }

  private dispatch(msg: JsMsg): void {
    if (this.stopping) {
      msg.nak();
      return;
    }
    this.slots.take();
    const task = (tracingOn() ? this.handleTraced(msg) : this.handle(msg)).finally(() => {
      this.slots.release();
      this.inflight.delete(msg);
    });
    this.inflight.set(msg, task);
  }

  /** As handle, in a span continuing the message's trace context when it carries one. */
  private async handleTraced(msg: JsMsg): Promise<void> {
    const traced = startProcessSpan(msg, this.options.stream, this.options.durable);
    if (!traced) return this.handle(msg);
    try {
      await otelContext.with(traced.context, () => this.handle(msg, traced.span));
    } finally {
      traced.span.end();
    }
  }

  /** Validates the message, runs the handler and settles the message; `span` (tracing on) records how. */
  private async handle(msg: JsMsg, span?: Span): Promise<void> {
    // A redelivery waited on purpose (a nak's delay, an ack wait) and would hide the queue's own wait.
    if (msg.info.deliveryCount === 1)
      this.metrics.waited.observe(
        { stream: this.options.stream, durable: this.options.durable },
        Math.max(0, Date.now() - msg.info.timestampNanos / 1e6) / 1000,
      );
    let payload: unknown;
    try {
      payload = this.parse(msg);
    } catch (err) {
      this.logger.error({ subject: msg.subject, seq: msg.seq, err: String(err) }, 'poison message terminated');
      this.settle(msg, { kind: 'term', reason: '' }, span);
      return;
    }
    const context: MessageContext = {
      subject: msg.subject,
      deliveryCount: msg.info.deliveryCount,
      msgId: msg.headers?.get('Nats-Msg-Id') || undefined,
      streamSequence: msg.seq,
      headers: msg.headers,
    };
    try {
      this.settle(msg, (await this.handler(payload, context)) ?? Ack, span);
    } catch (err) {
      const delayMs = errorBackoffMs(context.deliveryCount);
      this.logger.warn({ subject: msg.subject, seq: msg.seq, err: String(err), delayMs }, 'handler failed, will retry');
      if (span) failSpan(span, err);
      this.settle(msg, { kind: 'nak', delayMs }, span);
    }
  }

  private parse(msg: JsMsg): unknown {
    const raw = this.options.decode ? this.options.decode(msg.data) : msg.json<unknown>();
    if (!this.options.payload || this.quickCheck?.(raw)) return raw;
    const instance = toInstance(this.options.payload, raw, this.opaque);
    const errors = validateSync(instance);
    if (errors.length > 0) {
      const fields = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ') || 'invalid'}`);
      throw new Error(`payload does not match ${this.options.payload.name}: ${fields.join('; ')}`);
    }
    return instance;
  }

  private settle(msg: JsMsg, disposition: Disposition, span?: Span): void {
    const labels = { stream: this.options.stream, durable: this.options.durable, result: disposition.kind };
    this.metrics.handled.inc(labels);
    span?.setAttribute('hookline.disposition', disposition.kind);
    switch (disposition.kind) {
      case 'ack':
        msg.ack();
        return;
      case 'nak':
        msg.nak(disposition.delayMs);
        return;
      case 'term':
        if (span) failSpan(span, disposition.reason || 'message terminated');
        if (disposition.reason)
          this.logger.warn({ subject: msg.subject, seq: msg.seq, reason: disposition.reason }, 'message terminated');
        // A bare term, the reason in the log line: nats-server before 2.10 (Debian's is 2.9)
        // ignores `+TERM <reason>` and hands the message out again after every ack wait.
        msg.term();
        return;
    }
  }
}
