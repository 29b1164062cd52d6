import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { STREAMS, type StreamName } from '@hookline/contracts';
import {
  MetricsService,
  ReadinessRegistry,
  SERVICE_NAME,
  type ConfigClass,
  type NatsServiceConfig,
} from '@hookline/service-kit';
import { ConsumerRunner, type ConsumerMetrics } from './consumer-runner';
import { JETSTREAM_CONSUMER, type ConsumerOptions } from './consumer.decorator';
import type { ConsumerHandler } from './disposition';
import { NatsClient } from './nats-client';
import { JetStreamPublisher } from './publisher';
import { declareStream } from './streams';

export interface MessagingOptions<C extends NatsServiceConfig = NatsServiceConfig> {
  /** The service's config class; `url` picks the NATS URL out of it. */
  config: ConfigClass<C>;
  url: (config: C) => string;
  /** Streams this service publishes to or consumes from; declared idempotently at start. */
  streams: StreamName[];
}

const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/** Declares streams, registers readiness, and runs every @JetStreamConsumer handler of the application. */
@Injectable()
class MessagingLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Messaging');
  private readonly runners: ConsumerRunner[] = [];

  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: MetricsService,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const name of this.options.streams) await declareStream(this.nats.jsm, STREAMS[name]);
    this.readiness.register('nats', async () =>
      (await this.nats.answers()) ? { ok: true } : { ok: false, detail: 'disconnected' },
    );
    this.readiness.register('jetstream', async () => {
      for (const name of this.options.streams) await this.nats.jsm.streams.info(STREAMS[name].name);
      return { ok: true };
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const metrics: ConsumerMetrics = {
      handled: this.metrics.counter('hookline_messages_handled_total', 'JetStream messages handled', [
        'stream',
        'durable',
        'result',
      ]),
      waited: this.metrics.histogram(
        'hookline_message_wait_seconds',
        'From a message being stored in its stream to its handler starting (first deliveries)',
        ['stream', 'durable'],
        [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 5, 30],
      ),
    };
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const options = this.reflector.get<ConsumerOptions | undefined>(JETSTREAM_CONSUMER, fn);
        if (!options) continue;
        const handler = (fn as ConsumerHandler).bind(instance) as ConsumerHandler;
        this.runners.push(new ConsumerRunner(this.nats, options, handler, metrics));
      }
    }
    await Promise.all(this.runners.map((runner) => runner.start()));
    for (const runner of this.runners)
      this.logger.log(`consuming ${runner.options.stream} as ${runner.options.durable}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.nats.close();
  }
}

@Module({})
export class MessagingModule {
  static forRoot<C extends NatsServiceConfig>(options: MessagingOptions<C>): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: NatsClient,
          inject: [options.config, SERVICE_NAME],
          useFactory: (config: C, service: string) =>
            NatsClient.connect(options.url(config), service, {
              requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS,
              pingIntervalMs: config.NATS_PING_INTERVAL_MS,
            }),
        },
        JetStreamPublisher,
        MessagingLifecycle,
      ],
      exports: [NatsClient, JetStreamPublisher],
    };
  }
}
