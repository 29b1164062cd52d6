import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, type Attributes, type Context, type Span, type TextMapGetter, type TextMapSetter };

/** The instrumentation scope of every Hookline span. */
const TRACER_NAME = 'hookline';

let on = false;

/**
 * True while this process exports traces. Every per-request and per-message use of tracing checks
 * this first, so with tracing off no span, context or header is made.
 */
export function tracingOn(): boolean {
  return on;
}

/** Set by Tracing only: when it has started the SDK, and when it shuts it down. */
export function setTracingOn(value: boolean): void {
  on = value;
}

/** Hookline's tracer, from the SDK's provider (callers check tracingOn() first). */
export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** The context carried by `carrier` (W3C `traceparent`/`tracestate`); undefined when it carries none. */
export function extractTraceContext<C>(carrier: C, getter: TextMapGetter<C>): Context | undefined {
  const extracted = propagation.extract(ROOT_CONTEXT, carrier, getter);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

/** Writes the context's W3C headers into `carrier`. */
export function injectTraceContext<C>(ctx: Context, carrier: C, setter: TextMapSetter<C>): void {
  propagation.inject(ctx, carrier, setter);
}

/** Adds the active span's W3C headers (`traceparent`, `tracestate`) to a plain header record. */
export function injectActiveTraceHeaders(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}

/** The active span's `traceparent`, when it is recorded (an unsampled trace is found nowhere). */
export function activeTraceparent(): string | undefined {
  const span = trace.getSpanContext(context.active());
  if (!span || !(span.traceFlags & TraceFlags.SAMPLED)) return undefined;
  return `00-${span.traceId}-${span.spanId}-01`;
}

/** The active span's ids for a log line (pino's mixin, set while tracing is on): logs and traces find each other. */
export function traceLogFields(): Record<string, string> {
  const span = trace.getSpanContext(context.active());
  return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/** The trace id of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`); null for anything else. */
export function traceIdOf(traceparent: string | undefined): string | null {
  const match =
    traceparent === undefined ? null : /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent);
  return match && !/^0+$/.test(match[1]) ? match[1] : null;
}

export interface WithSpanOptions {
  kind: SpanKind;
  attributes?: Attributes;
  /** The parent: a context, or a W3C `traceparent`; the active context when absent. */
  parent?: Context | string;
}

/**
 * Runs `work` in a new span that ends when it settles, failed if it throws. Callers check
 * tracingOn() first: this always makes a span.
 */
export async function withSpan<T>(
  name: string,
  options: WithSpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = parentContext(options.parent);
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks the span failed, with the error as its message. */
export function failSpan(span: Span, err: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

function parentContext(parent: Context | string | undefined): Context {
  if (parent === undefined) return context.active();
  if (typeof parent !== 'string') return parent;
  return extractTraceContext({ traceparent: parent }, recordGetter) ?? ROOT_CONTEXT;
}

const recordGetter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};
