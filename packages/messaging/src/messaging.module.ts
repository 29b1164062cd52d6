import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { STREAMS, type StreamName } from '@hookline/contracts';
import {
  MetricsService,
  ReadinessRegistry,
  SERVICE_NAME,
  TRANSPORT_STRATEGY,
  type ConfigClass,
  type NatsServiceConfig,
} from '@hookline/service-kit';
import { consumerMetrics, JetStreamServer } from './jetstream.server';
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

/**
 * Declares the service's streams before anything starts, registers the NATS readiness checks, and
 * closes the connection last: JetStreamServer (the Nest transport) has stopped every consumer and
 * request subscription by then.
 */
@Injectable()
class MessagingLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly readiness: ReadinessRegistry,
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
        {
          provide: JetStreamServer,
          inject: [NatsClient, MetricsService, SERVICE_NAME],
          useFactory: (nats: NatsClient, metrics: MetricsService, service: string) =>
            new JetStreamServer(nats, consumerMetrics(metrics), service),
        },
        { provide: TRANSPORT_STRATEGY, useExisting: JetStreamServer },
        MessagingLifecycle,
      ],
      exports: [NatsClient, JetStreamPublisher, JetStreamServer, TRANSPORT_STRATEGY],
    };
  }
}
