import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { BaseServiceConfig } from '../config/config';
import type { Sdk, SdkSettings } from './otel-sdk';
import { failSpan, setTracingOn, SpanKind, tracer, tracingOn, type TextMapGetter } from './trace-context';

/** Requests not traced: probes and scrapes, many and of no interest in a trace. */
const UNTRACED_PATHS = /^\/(health|metrics)/;

/**
 * The process's OpenTelemetry SDK: started from the validated OTEL_* settings when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, not even loaded otherwise. Shutting the application down
 * exports the spans still buffered.
 */
export class Tracing implements OnApplicationShutdown {
  private constructor(private readonly sdk: Sdk | undefined) {}

  /** `processor` replaces the OTLP exporter's (tests keep spans in memory). */
  static start(service: string, config: BaseServiceConfig, processor?: SdkSettings['processor']): Tracing {
    if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return new Tracing(undefined);
    // Loaded here rather than imported: the SDK and the exporters take most of a second to load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startSdk } = require('./otel-sdk') as typeof import('./otel-sdk');
    const logger = new Logger('Tracing');
    const sdk = startSdk({
      service,
      version: config.SERVICE_VERSION,
      endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      protocol: config.OTEL_EXPORTER_OTLP_PROTOCOL,
      scheduleDelayMs: config.OTEL_BSP_SCHEDULE_DELAY,
      sampleRatio: config.OTEL_TRACES_SAMPLER_ARG,
      logger: { warn: (message) => logger.warn(message), error: (message) => logger.error(message) },
      processor,
    });
    setTracingOn(true);
    return new Tracing(sdk);
  }

  get enabled(): boolean {
    return this.sdk !== undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.sdk) return;
    setTracingOn(false);
    await this.sdk.shutdown();
  }
}

const requestHeaderGetter: TextMapGetter<Request> = {
  keys: (req) => Object.keys(req.headers),
  get: (req, key) => req.headers[key],
};

/**
 * One server span per HTTP request, continuing the caller's `traceparent` when it sends one. The
 * request and response emitters are bound to the span's context, so handlers run after the body
 * parser's callbacks still see it. Installed only when tracing is on.
 */
export function traceHttpRequests(req: Request, res: Response, next: NextFunction): void {
  if (!tracingOn() || UNTRACED_PATHS.test(req.path)) return next();
  const parent = propagation.extract(ROOT_CONTEXT, req, requestHeaderGetter);
  const span = tracer().startSpan(
    req.method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path, 'url.scheme': req.protocol },
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    // The route pattern, not the URL, keeps span names few.
    const route = (req.route as { path?: string } | undefined)?.path;
    if (route) {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) failSpan(span, `HTTP ${res.statusCode}`);
    if (!res.writableFinished) span.setAttribute('hookline.aborted', true);
    span.end();
  };
  res.once('finish', end);
  res.once('close', end);
  context.bind(ctx, req);
  context.bind(ctx, res);
  context.with(ctx, next);
}
