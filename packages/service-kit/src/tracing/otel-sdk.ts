import { randomUUID } from 'node:crypto';
import { context, diag, DiagLogLevel, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';

/** What the SDK is started with: the validated OTEL_* settings. */
export interface SdkSettings {
  service: string;
  version?: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  protocol: 'http/protobuf' | 'http/json';
  scheduleDelayMs: number;
  sampleRatio: number;
  /** Where the SDK's own warnings (e.g. a failed export) go. */
  logger: Pick<DiagLogger, 'warn' | 'error'>;
  /** Replaces the OTLP exporter's processor (tests keep spans in memory). */
  processor?: SpanProcessor;
}

export interface Sdk {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK and registers it globally: W3C trace context, AsyncLocalStorage
 * for the active span, a batching OTLP/HTTP exporter. Loaded only when tracing is on.
 */
export function startSdk(settings: SdkSettings): Sdk {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': settings.service,
      'service.instance.id': randomUUID(),
      ...(settings.version && { 'service.version': settings.version }),
    }),
    // A trace continued from a caller keeps the caller's decision; one started here is kept at the ratio.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: [
      settings.processor ??
        new BatchSpanProcessor({ exporter: otlpExporter(settings), scheduledDelayMillis: settings.scheduleDelayMs }),
    ],
  });
  diag.setLogger(
    {
      error: (message, ...args) => settings.logger.error(message, ...args),
      warn: (message, ...args) => settings.logger.warn(message, ...args),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
      diag.disable();
    },
  };
}

function otlpExporter(settings: SdkSettings): SpanExporter {
  const base = settings.endpoint.endsWith('/') ? settings.endpoint : `${settings.endpoint}/`;
  const url = new URL('v1/traces', base).toString();
  return settings.protocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtobufExporter({ url });
}
