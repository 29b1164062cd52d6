import { Logger } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Msg, MsgHdrs, Status, Subscription } from '@nats-io/nats-core';
import { STREAMS, type StreamName } from '@hookline/contracts';
import { ErrorCode, HooklineError, tracingOn, type MetricsService } from '@hookline/service-kit';
import { context as otelContext } from '@opentelemetry/api';
import { isObservable, lastValueFrom } from 'rxjs';
import { ConsumerRunner, type ConsumerMetrics } from './consumer-runner';
import type { ConsumerHandler, Disposition, MessageContext } from './disposition';
import type { ConsumerOptions } from './jetstream-event.decorator';
import type { NatsClient } from './nats-client';
import type { RequestErrorReply } from './tenant-requests';
import { startRequestSpan } from './trace-headers';

/** The transport id of JetStreamServer, for `@EventPattern(pattern, JETSTREAM_TRANSPORT, extras)` in a multi-transport app. */
export const JETSTREAM_TRANSPORT = Symbol('JETSTREAM_TRANSPORT');

/** What an `@EventPattern` handler gets as `@Ctx()`: the delivery it is handling. */
export class JetStreamContext extends BaseRpcContext<[MessageContext]> implements MessageContext {
  readonly subject: string;
  readonly deliveryCount: number;
  readonly msgId?: string;
  readonly streamSequence: number;
  readonly headers?: MsgHdrs;

  constructor(message: MessageContext) {
    super([message]);
    ({
      subject: this.subject,
      deliveryCount: this.deliveryCount,
      msgId: this.msgId,
      streamSequence: this.streamSequence,
      headers: this.headers,
    } = message);
  }
}

/** What a `@MessagePattern` handler gets as `@Ctx()`: the request's concrete subject and headers. */
export class NatsRequestContext extends BaseRpcContext<[string, MsgHdrs | undefined]> {
  get subject(): string {
    return this.args[0];
  }

  get headers(): MsgHdrs | undefined {
    return this.args[1];
  }
}

/** What `JetStreamServer.on` reports: the NATS connection's status changes, by type. */
type ConnectionEvents = Record<Status['type'], (status: Status) => void>;

/** The JetStream metrics every consumer of the service reports into. */
export function consumerMetrics(metrics: MetricsService): ConsumerMetrics {
  return {
    handled: metrics.counter('hookline_messages_handled_total', 'JetStream messages handled', [
      'stream',
      'durable',
      'result',
    ]),
    waited: metrics.histogram(
      'hookline_message_wait_seconds',
      'From a message being stored in its stream to its handler starting (first deliveries)',
      ['stream', 'durable'],
      [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 5, 30],
    ),
  };
}

/**
 * NATS as a Nest transport. Each `@EventPattern` handler (see JetStreamEvent) becomes a durable pull
 * consumer run by ConsumerRunner; each `@MessagePattern` subject a core NATS subscription in the
 * service's queue group, whose handler's return value is the JSON reply. `close` stops both and
 * waits for the handlers in flight; the NATS connection itself belongs to NatsClient.
 */
export class JetStreamServer extends Server<ConnectionEvents> implements CustomTransportStrategy {
  override transportId = JETSTREAM_TRANSPORT;
  // A failed event handler comes back here: the runner naks it with a delay and logs why.
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger('JetStreamServer');
  private readonly runners: ConsumerRunner[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly nats: NatsClient,
    private readonly metrics: ConsumerMetrics,
    /** Queue group of the request subscriptions: one instance of the service answers each request. */
    private readonly queue: string,
  ) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  /** Stops pulling and answering, then waits for the handlers still running. */
  async close(): Promise<void> {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    const runners = this.runners.splice(0);
    await Promise.all([...runners.map((runner) => runner.stop()), ...this.inflight]);
  }

  /** Calls back on each NATS connection status of the type named (`disconnect`, `reconnect`, ...). */
  on<EventKey extends keyof ConnectionEvents = keyof ConnectionEvents>(
    event: EventKey,
    callback: ConnectionEvents[EventKey],
  ): void {
    void (async () => {
      for await (const status of this.nats.connection.status()) if (status.type === event) callback(status);
    })();
  }

  unwrap<T>(): T {
    return this.nats.connection as T;
  }

  private async start(): Promise<void> {
    for (const [pattern, handler] of this.getHandlers()) {
      if (handler.isEventHandler) this.runners.push(this.runnerFor(pattern, handler));
      else this.subscriptions.push(this.subscribe(pattern, handler));
    }
    await Promise.all(this.runners.map((runner) => runner.start()));
    for (const runner of this.runners)
      this.logger.log(`consuming ${runner.options.stream} as ${runner.options.durable}`);
    for (const subscription of this.subscriptions)
      this.logger.log(`answering ${subscription.getSubject()} in queue group ${this.queue}`);
  }

  private runnerFor(pattern: string, handler: MessageHandler): ConsumerRunner {
    // Nest chains a second handler of the same event pattern onto the first: both would run for
    // every message, each acking it.
    if (handler.next) throw new Error(`two @EventPattern handlers for ${pattern}: give each durable its own subject`);
    const run: ConsumerHandler = async (payload, context) =>
      resultOf<Disposition | void>(await handler(payload, new JetStreamContext(context)));
    return new ConsumerRunner(this.nats, consumerOptions(pattern, handler.extras), run, this.metrics);
  }

  private subscribe(pattern: string, handler: MessageHandler): Subscription {
    return this.nats.connection.subscribe(pattern, {
      queue: this.queue,
      callback: (err, msg) => {
        if (err) return;
        const replied = tracingOn() ? this.replyTraced(pattern, handler, msg) : this.reply(handler, msg);
        const task = replied
          .then((reply) => void msg.respond(JSON.stringify(reply)))
          .finally(() => this.inflight.delete(task));
        this.inflight.add(task);
      },
    });
  }

  /** As reply, in a span continuing the requester's trace context when it sends one. */
  private async replyTraced(pattern: string, handler: MessageHandler, msg: Msg): Promise<unknown> {
    const { span, context } = startRequestSpan(msg.subject, msg.headers, `${pattern} request`);
    try {
      return await otelContext.with(context, () => this.reply(handler, msg));
    } finally {
      span.end();
    }
  }

  /** The handler's result; a HooklineError as the HTTP error body, anything else logged and answered UNAVAILABLE. */
  private async reply(handler: MessageHandler, msg: Msg): Promise<unknown> {
    try {
      return await resultOf(await handler(parseBody(msg.data), new NatsRequestContext([msg.subject, msg.headers])));
    } catch (err) {
      if (err instanceof HooklineError) {
        return { error: err.code, message: err.message, details: err.details } satisfies RequestErrorReply;
      }
      this.logger.error({ err: String(err), subject: msg.subject }, 'request over NATS failed');
      return { error: ErrorCode.Unavailable, message: 'Not carried out; send again', details: [] };
    }
  }
}

/** A handler may answer with a value, a promise or an observable (Nest's contract); its last value counts. */
async function resultOf<T>(value: unknown): Promise<T> {
  return (isObservable(value) ? await lastValueFrom(value, { defaultValue: undefined }) : value) as T;
}

/** The consumer an event handler's extras describe; a bare `@EventPattern(subject, {stream, durable})` filters on its subject. */
function consumerOptions(pattern: string, extras: Record<string, unknown> | undefined): ConsumerOptions {
  const options = extras as Partial<ConsumerOptions> | undefined;
  if (!options?.stream || !(options.stream in STREAMS) || !options.durable)
    throw new Error(
      `@EventPattern('${pattern}') needs { stream, durable } extras naming a stream (see JetStreamEvent)`,
    );
  const stream: StreamName = options.stream;
  const wholeStream = STREAMS[stream].subjects.join(',');
  const filterSubject = options.filterSubject ?? (pattern === wholeStream ? undefined : pattern);
  return { ...options, stream, durable: options.durable, ...(filterSubject && { filterSubject }) };
}

function parseBody(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw HooklineError.validation([{ field: 'body', reason: 'is not valid JSON' }]);
  }
}
