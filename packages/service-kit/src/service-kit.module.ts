import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { BaseServiceConfig, loadConfig, type ConfigClass } from './config/config';
import { GlobalExceptionFilter } from './errors/global-exception.filter';
import { createValidationPipe } from './errors/validation';
import { HealthController } from './health/health.controller';
import { ReadinessRegistry } from './health/readiness.registry';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { traceLogFields } from './tracing/trace-context';
import { Tracing } from './tracing/tracing';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

export interface ServiceKitOptions {
  /** The service's name as it appears in logs and metrics, e.g. `registry`. */
  service: string;
  /** The service's settings class; validated once when the application is created. */
  config: ConfigClass;
}

/** Config, logging, health, metrics and error mapping shared by every Hookline service. */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    const configProvider = { provide: options.config, useFactory: () => loadConfig(options.service, options.config) };
    return {
      module: ServiceKitModule,
      global: true,
      imports: [
        LoggerModule.forRootAsync({
          inject: [options.config],
          useFactory: (config: BaseServiceConfig) => ({
            pinoHttp: {
              level: config.LOG_LEVEL,
              base: { service: options.service },
              autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
              ...(config.OTEL_EXPORTER_OTLP_ENDPOINT && { mixin: traceLogFields }),
              // Request headers carry API keys and signatures: logs get the method and path only.
              serializers: {
                req: (req: { id: unknown; method: string; url: string }) => ({
                  id: req.id,
                  method: req.method,
                  url: req.url,
                }),
              },
            },
          }),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        configProvider,
        { provide: BaseServiceConfig, useExisting: options.config },
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: MetricsService, useFactory: () => new MetricsService(options.service) },
        {
          provide: Tracing,
          inject: [options.config],
          useFactory: (config: BaseServiceConfig) => Tracing.start(options.service, config),
        },
        ReadinessRegistry,
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [options.config, BaseServiceConfig, SERVICE_NAME, MetricsService, ReadinessRegistry, Tracing],
    };
  }
}
