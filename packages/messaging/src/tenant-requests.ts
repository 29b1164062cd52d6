import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { MsgHdrs, Subscription } from '@nats-io/nats-core';
import { ErrorCode, HooklineError, tracingOn } from '@hookline/service-kit';
import { context as otelContext } from '@opentelemetry/api';
import type { NatsClient } from './nats-client';
import { startRequestSpan } from './trace-headers';

/** Who asked: the subscription whose id is the last token of the request's subject. */
export interface RequestTenant {
  tenant: string;
  subscriptionId: number;
}

/** The reply to a refused request: the HTTP error body's shape. */
export interface RequestErrorReply {
  error: string;
  message?: string;
  details: { field: string; reason: string }[];
}

/**
 * Core NATS request/reply for internal producers on `<prefix>.<subscriptionId>` subjects: the
 * reply says the request was carried out, or why not, so a producer without a reply asks again.
 * Bad subjects and bodies get the same field-named errors as HTTP; an unexpected failure is
 * logged and answered UNAVAILABLE. In-flight requests finish before shutdown completes.
 */
export abstract class TenantRequestResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private subscription?: Subscription;
  private readonly inflight = new Set<Promise<void>>();

  protected constructor(
    private readonly nats: NatsClient,
    /** Wildcard subject, e.g. `ingest.changes.*`. */
    private readonly subject: string,
    /** Queue group: one instance of the service answers each request. */
    private readonly queue: string,
  ) {}

  /** Carries out one request; throws HooklineError to refuse it. */
  protected abstract handle(body: unknown, from: RequestTenant): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.subscription = this.nats.connection.subscribe(this.subject, {
      queue: this.queue,
      callback: (err, msg) => {
        if (err) return;
        const replied = tracingOn()
          ? this.replyTraced(msg.subject, msg.data, msg.headers)
          : this.reply(msg.subject, msg.data);
        const task = replied
          .then((reply) => msg.respond(JSON.stringify(reply)))
          .then(() => undefined)
          .finally(() => this.inflight.delete(task));
        this.inflight.add(task);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await Promise.all([...this.inflight]);
  }

  /** As reply, in a span continuing the requester's trace context when it sends one. */
  private async replyTraced(subject: string, data: Uint8Array, headers: MsgHdrs | undefined): Promise<unknown> {
    const { span, context } = startRequestSpan(subject, headers, `${this.subject} request`);
    try {
      return await otelContext.with(context, () => this.reply(subject, data));
    } finally {
      span.end();
    }
  }

  private async reply(subject: string, data: Uint8Array): Promise<unknown> {
    try {
      return await this.handle(parseBody(data), tenantOf(subject));
    } catch (err) {
      if (err instanceof HooklineError) {
        return { error: err.code, message: err.message, details: err.details } satisfies RequestErrorReply;
      }
      this.logger.error({ err: String(err), subject }, 'request over NATS failed');
      return { error: ErrorCode.Unavailable, message: 'Not carried out; send again', details: [] };
    }
  }
}

function tenantOf(subject: string): RequestTenant {
  const tenant = subject.split('.').at(-1) ?? '';
  const subscriptionId = Number(tenant);
  if (!Number.isSafeInteger(subscriptionId) || subscriptionId < 1 || String(subscriptionId) !== tenant) {
    throw HooklineError.validation([{ field: 'subject', reason: 'must end with a positive numeric subscription id' }]);
  }
  return { tenant, subscriptionId };
}

function parseBody(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw HooklineError.validation([{ field: 'body', reason: 'is not valid JSON' }]);
  }
}
