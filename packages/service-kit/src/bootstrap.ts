import type { IncomingMessage } from 'node:http';
import { Server as TlsServer } from 'node:tls';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { BaseServiceConfig, ConfigError } from './config/config';
import { ReadinessRegistry } from './health/readiness.registry';
import { checkJsonBody, isJsonMediaType, requireJsonContentType, verifyUtf8 } from './http/request-body';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';
import { Tracing, traceHttpRequests } from './tracing/tracing';

/** A PEM certificate chain and its private key. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

export interface ServiceAppOptions {
  service: string;
  module: unknown;
  /** Serve OpenAPI docs at `/docs` (services with a REST API). */
  openapi?: { title: string; description: string };
  /** Keep the raw request body (HMAC verification needs the exact bytes). */
  rawBody?: boolean;
  /**
   * Serve HTTPS with this certificate when it returns one. Called before the module exists, since
   * Nest creates the server first; it may throw ConfigError like the module's config provider.
   */
  tls?: () => TlsPair | undefined;
}

/** Builds the Nest application the same way for `main.ts` and for tests. */
export async function createServiceApp(options: ServiceAppOptions): Promise<NestExpressApplication> {
  const httpsOptions = options.tls?.();
  const app = await NestFactory.create<NestExpressApplication>(options.module as never, {
    bufferLogs: true,
    abortOnError: false,
    // The JSON parser below is the only one: Nest's default would also parse url-encoded forms.
    bodyParser: false,
    ...(httpsOptions && { httpsOptions }),
  });
  app.useLogger(app.get(Logger));
  // First, so that the request's span covers the body parser and everything after it.
  if (app.get(Tracing).enabled) app.use(traceHttpRequests);
  const httpMetrics = new HttpMetricsMiddleware(app.get(MetricsService));
  app.use(httpMetrics.use.bind(httpMetrics));
  const config = app.get(BaseServiceConfig);
  app.use(requireJsonContentType);
  // Nest's types reserve `verify` for its own rawBody option, which is left off: verifyUtf8 keeps the raw body.
  const jsonOptions = {
    limit: config.HTTP_BODY_LIMIT,
    type: (req: IncomingMessage) => isJsonMediaType(req.headers['content-type'] ?? ''),
    verify: verifyUtf8(options.rawBody ?? false),
  };
  app.useBodyParser('json', jsonOptions as NestExpressBodyParserOptionsFor<'json'>);
  app.use(checkJsonBody(config.HTTP_BODY_MAX_DEPTH));
  if (options.openapi) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle(options.openapi.title)
        .setDescription(options.openapi.description)
        .addBearerAuth()
        .addCookieAuth('ZSESSIONID')
        .build(),
    );
    SwaggerModule.setup('docs', app, document);
  }
  return app;
}

/**
 * The whole of a service's `main.ts`: build, listen, and shut down gracefully on SIGTERM/SIGINT
 * (stop taking work, let in-flight messages finish or be nak'ed, then exit).
 * A configuration problem ends the process with exit code 1 and a message naming the setting.
 */
export async function bootstrapService(options: ServiceAppOptions): Promise<void> {
  let app: NestExpressApplication;
  try {
    app = await createServiceApp(options);
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `${options.service}: failed to start: ${describe(err)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  const config = app.get(BaseServiceConfig);
  await app.listen(config.PORT, config.HOST);
  app.get(Logger).log(`${options.service} listening on ${scheme(app)}://${config.HOST}:${config.PORT}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    app.get(ReadinessRegistry).markShuttingDown();
    app.get(Logger).log(`${signal} received: finishing in-flight work`);
    setTimeout(() => {
      process.stderr.write(`${options.service}: shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms, exiting\n`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${options.service}: shutdown failed: ${describe(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** `https` when the app was created with TLS options, else `http`. */
export function scheme(app: NestExpressApplication): 'http' | 'https' {
  return app.getHttpServer() instanceof TlsServer ? 'https' : 'http';
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
