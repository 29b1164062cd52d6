import type { IncomingMessage } from 'node:http';
import { Server as TlsServer } from 'node:tls';
import { RequestMethod, type INestMicroservice } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { BaseServiceConfig, ConfigError } from './config/config';
import { GlobalExceptionFilter } from './errors/global-exception.filter';
import { ReadinessRegistry } from './health/readiness.registry';
import { checkJsonBody, isJsonMediaType, requireJsonContentType, verifyUtf8 } from './http/request-body';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';
import { Tracing, traceHttpRequests } from './tracing/tracing';
import { transportStrategyOf } from './transport';
import { withErrorResponses } from './openapi/document';
import { ErrorResponseDto } from './openapi/error-response.dto';

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
  app.set('trust proxy', config.HTTP_TRUST_PROXY === 'false' ? false : config.HTTP_TRUST_PROXY);
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
    SwaggerModule.setup('docs', app, openapiDocument(app, options.openapi));
  }
  const strategy = transportStrategyOf(app);
  if (strategy) {
    // The app's config is not inherited: its ValidationPipe would validate every message payload
    // again (Nest gives pipes a payload as a body) and copy opaque fields; the transport checks
    // payloads itself. The exception filter is shared so that a handler's error reaches the
    // transport as thrown. Deferred, so the filter is in place before the handlers are wrapped.
    const microservice = app.connectMicroservice(
      { strategy },
      { inheritAppConfig: false, deferInitialization: true },
    ) as INestMicroservice & { setIsInitHookCalled(called: boolean): void };
    microservice.useGlobalFilters(new GlobalExceptionFilter());
    // app.init() runs the lifecycle hooks of the shared container; the microservice must not run them again.
    microservice.setIsInitHookCalled(true);
  }
  return app;
}

/**
 * Starts an app built by createServiceApp, for `main.ts` and tests alike: the lifecycle hooks first
 * (streams declared, readiness checks registered), then the transport's consumers and request
 * subscriptions, then HTTP. `app.close()` stops the transport before the NATS connection closes.
 */
export async function startServiceApp(app: NestExpressApplication, port: number, host: string): Promise<void> {
  await app.init();
  await app.startAllMicroservices();
  await app.listen(port, host);
}

/** A service's OpenAPI document, the same whether served at `/docs` or printed by `--openapi`. */
function openapiDocument(
  app: NestExpressApplication,
  openapi: NonNullable<ServiceAppOptions['openapi']>,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(openapi.title)
    .setDescription(openapi.description)
    .setVersion('2.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (`hk_...`) or a session token.' })
    .addCookieAuth(
      'ZSESSIONID',
      { type: 'apiKey', in: 'cookie', description: 'Rally-style session cookie holding an API key.' },
      'ZSESSIONID',
    )
    .build();
  return withErrorResponses(SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] }));
}

/**
 * Nest's preview mode builds the module graph without instantiating providers, so a service can be
 * described without its configuration, database or NATS.
 */
async function previewApp<T>(options: ServiceAppOptions, use: (app: NestExpressApplication) => T): Promise<T> {
  const app = await NestFactory.create<NestExpressApplication>(options.module as never, {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return use(app);
  } finally {
    await app.close();
  }
}

/** The service's OpenAPI document, without starting it. */
export async function describeService(options: ServiceAppOptions): Promise<OpenAPIObject> {
  const { openapi } = options;
  if (!openapi) throw new Error(`${options.service} has no REST API to describe`);
  return previewApp(options, (app) => openapiDocument(app, openapi));
}

/** One HTTP route a service registers, its path in OpenAPI's template form (`/webhook/{id}`). */
export interface ServiceRoute {
  method: string;
  path: string;
}

function joinPath(base: string, path: string): string {
  const joined = `/${[base, path]
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * Every route the service's controllers register, read from the same decorators Nest routes by,
 * so a test can hold them against the OpenAPI document (which leaves excluded controllers out).
 */
export async function describeRoutes(options: ServiceAppOptions): Promise<ServiceRoute[]> {
  return previewApp(options, (app) => {
    const routes: ServiceRoute[] = [];
    for (const module of app.get(ModulesContainer).values()) {
      for (const controller of module.controllers.values()) {
        const type = controller.metatype as (new (...args: never[]) => unknown) | null;
        if (!type) continue;
        const base = Reflect.getMetadata(PATH_METADATA, type) as string | string[] | undefined;
        const prototype = type.prototype as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(prototype)) {
          const handler = prototype[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
          if (path === undefined) continue;
          const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
          for (const prefix of [base ?? ''].flat()) {
            for (const suffix of [path].flat()) routes.push({ method, path: joinPath(prefix, suffix) });
          }
        }
      }
    }
    return routes;
  });
}

/**
 * The whole of a service's `main.ts`: build, listen, and shut down gracefully on SIGTERM/SIGINT
 * (stop taking work, let in-flight messages finish or be nak'ed, then exit).
 * A configuration problem ends the process with exit code 1 and a message naming the setting.
 */
export async function bootstrapService(options: ServiceAppOptions): Promise<void> {
  // `main.js --openapi` and `--routes` describe the service for the front door (packages/front-door).
  if (process.argv.includes('--openapi')) {
    process.stdout.write(`${JSON.stringify(await describeService(options), null, 2)}\n`);
    return;
  }
  if (process.argv.includes('--routes')) {
    process.stdout.write(`${JSON.stringify(await describeRoutes(options))}\n`);
    return;
  }
  let app: NestExpressApplication;
  try {
    app = await createServiceApp(options);
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `${options.service}: failed to start: ${describe(err)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  const config = app.get(BaseServiceConfig);
  await startServiceApp(app, config.PORT, config.HOST);
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
