import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { BaseServiceConfig } from '../config/config';
import {
  activeTraceparent,
  injectActiveTraceHeaders,
  SpanKind,
  traceIdOf,
  traceLogFields,
  tracingOn,
  withSpan,
} from './trace-context';
import { Tracing } from './tracing';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER = `00-${TRACE_ID}-b7ad6b7169203331-01`;

describe('traceIdOf', () => {
  it('reads the trace id of a W3C traceparent, and nothing else', () => {
    expect(traceIdOf(CALLER)).toBe(TRACE_ID);
    expect(traceIdOf(undefined)).toBeNull();
    expect(traceIdOf('')).toBeNull();
    expect(traceIdOf(`00-${'0'.repeat(32)}-b7ad6b7169203331-01`)).toBeNull();
    expect(traceIdOf(`00-${TRACE_ID}-b7ad6b7169203331`)).toBeNull();
  });
});

describe('spans with the SDK started', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;

  beforeAll(() => {
    tracing = Tracing.start(
      'test',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_TRACES_SAMPLER_ARG: 1 } as BaseServiceConfig,
      new SimpleSpanProcessor({ exporter }),
    );
  });

  afterAll(async () => {
    await tracing.onApplicationShutdown();
    expect(tracingOn()).toBe(false);
  });

  beforeEach(() => exporter.reset());

  it('continues a traceparent and makes the span active for the work', async () => {
    expect(tracingOn()).toBe(true);
    const seen = await withSpan('outer', { kind: SpanKind.CONSUMER, parent: CALLER }, async (span) => {
      const headers: Record<string, string> = {};
      injectActiveTraceHeaders(headers);
      return { span: span.spanContext(), traceparent: activeTraceparent(), headers };
    });
    expect(seen.span.traceId).toBe(TRACE_ID);
    expect(seen.traceparent).toBe(`00-${TRACE_ID}-${seen.span.spanId}-01`);
    expect(seen.headers.traceparent).toBe(seen.traceparent);
    const [finished] = exporter.getFinishedSpans();
    expect(finished.name).toBe('outer');
    expect(finished.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('ends a span whose work throws as failed, and rethrows', async () => {
    await expect(
      withSpan('failing', { kind: SpanKind.INTERNAL }, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const [finished] = exporter.getFinishedSpans();
    expect(finished.status).toEqual({ code: 2, message: 'boom' });
  });

  it('has no traceparent outside a span', () => {
    expect(activeTraceparent()).toBeUndefined();
    expect(traceLogFields()).toEqual({});
  });

  it('names the active span in log lines', async () => {
    const fields = await withSpan('logged', { kind: SpanKind.INTERNAL, parent: CALLER }, async (span) => ({
      fields: traceLogFields(),
      spanId: span.spanContext().spanId,
    }));
    expect(fields.fields).toEqual({ trace_id: TRACE_ID, span_id: fields.spanId });
  });
});
