import type { JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import {
  extractTraceContext,
  failSpan,
  injectTraceContext,
  SpanKind,
  tracer,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@hookline/service-kit';
import { context, trace } from '@opentelemetry/api';

/**
 * W3C trace context in NATS message headers (`traceparent`, `tracestate`): how a trace follows a
 * change through CHANGES, DELIVERIES and OUTCOMES. Used only while tracingOn().
 */
const headerGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (headers) => headers?.keys() ?? [],
  get: (headers, key) => (headers?.has(key) ? headers.get(key) : undefined),
};
const headerSetter: TextMapSetter<MsgHdrs> = { set: (headers, key, value) => headers.set(key, value) };

/** The span's name for a subject: its first token (`deliveries`, `outcomes`...), so names stay few. */
function destinationOf(subject: string): string {
  const dot = subject.indexOf('.');
  return dot === -1 ? subject : subject.slice(0, dot);
}

/**
 * A producer span for one publish, child of the active context, and the message's headers with
 * its context: the consumer's span continues it.
 */
export function startPublishSpan(
  subject: string,
  msgId: string,
  extra: Record<string, string> | undefined,
): { span: Span; headers: MsgHdrs } {
  const span = tracer().startSpan(`send ${destinationOf(subject)}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'nats',
      'messaging.operation.type': 'send',
      'messaging.destination.name': subject,
      'messaging.message.id': msgId,
    },
  });
  const headers = natsHeaders();
  for (const [name, value] of Object.entries(extra ?? {})) headers.set(name, value);
  injectTraceContext(trace.setSpan(context.active(), span), headers, headerSetter);
  return { span, headers };
}

/** Headers with the active context, for a core NATS request: the responder's span continues it. */
export function activeContextHeaders(): MsgHdrs | undefined {
  const active = context.active();
  if (!trace.getSpanContext(active)) return undefined;
  const headers = natsHeaders();
  injectTraceContext(active, headers, headerSetter);
  return headers;
}

/** Ends a publish's span once JetStream answered. */
export async function endPublishSpan<T>(span: Span, published: Promise<T>): Promise<T> {
  try {
    return await published;
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * A consumer span for a message that carries a trace context, with the context to run its
 * handler in; undefined for a message without one (a trace starts where a request comes in, or
 * not at all).
 */
export function startProcessSpan(
  msg: Pick<JsMsg, 'subject' | 'headers' | 'info' | 'seq'>,
  stream: string,
  durable: string,
): { span: Span; context: Context } | undefined {
  const parent = extractTraceContext(msg.headers, headerGetter);
  if (!parent) return undefined;
  const span = tracer().startSpan(
    `process ${stream}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.operation.type': 'process',
        'messaging.destination.name': msg.subject,
        'messaging.consumer.group.name': durable,
        'messaging.message.id': msg.headers?.get('Nats-Msg-Id') ?? '',
        'messaging.nats.stream.sequence': msg.seq,
        'messaging.nats.delivery_count': msg.info.deliveryCount,
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** As startProcessSpan, for a core NATS request (no stream): a server span. */
export function startRequestSpan(
  subject: string,
  headers: MsgHdrs | undefined,
  name: string,
): {
  span: Span;
  context: Context;
} {
  const parent = extractTraceContext(headers, headerGetter) ?? context.active();
  const span = tracer().startSpan(
    name,
    { kind: SpanKind.SERVER, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject } },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}
