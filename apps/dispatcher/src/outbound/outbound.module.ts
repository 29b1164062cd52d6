import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { SecretBox } from '@hookline/auth';
import { DispatcherPool } from '@hookline/delivery';
import { DispatcherConfig } from '../config/dispatcher.config';
import { TargetPolicy } from './target-policy.service';

/** Closes the keep-alive pools once in-flight requests are done. */
@Injectable()
class PoolCloser implements OnApplicationShutdown {
  constructor(@Inject(DispatcherPool) private readonly pool: DispatcherPool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}

/** What every outgoing request needs: the target gate, pinned keep-alive pools or the proxy, and the key for sealed secrets. */
@Global()
@Module({
  providers: [
    TargetPolicy,
    {
      provide: DispatcherPool,
      inject: [DispatcherConfig],
      // As many sockets as attempts one origin may run at once (the origin budget), so none waits for a socket.
      useFactory: (config: DispatcherConfig) =>
        new DispatcherPool({
          connectionsPerOrigin: config.ORIGIN_CONCURRENCY,
          maxOrigins: 1_000,
          proxy: config.proxySettings(),
        }),
    },
    {
      provide: SecretBox,
      inject: [DispatcherConfig],
      useFactory: (config: DispatcherConfig) => new SecretBox(config.HOOKLINE_ENCRYPTION_KEY),
    },
    PoolCloser,
  ],
  exports: [TargetPolicy, DispatcherPool, SecretBox],
})
export class OutboundModule {}
