import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { MessagingModule } from '@hookline/messaging';
import { DatabaseModule, ServiceKitModule } from '@hookline/service-kit';
import { BlocklistModule } from './blocklist/blocklist.module';
import { DispatcherConfig } from './config/dispatcher.config';
import { DeliveryModule } from './delivery/delivery.module';
import { OutboundModule } from './outbound/outbound.module';
import { StatusModule } from './status/status.module';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'dispatcher', config: DispatcherConfig }),
    MessagingModule.forRoot({
      config: DispatcherConfig,
      url: (config) => config.NATS_URL,
      streams: ['DELIVERIES', 'PARKED_DELIVERIES', 'OUTCOMES', 'OUTCOME_BATCHES'],
    }),
    // API keys (the registry's, for the admin endpoints) and the dispatcher's own blocklist.
    DatabaseModule.forRoot({ config: DispatcherConfig, url: (config) => config.MONGO_URL }),
    AuthModule,
    OutboundModule,
    DeliveryModule,
    BlocklistModule,
    StatusModule,
  ],
})
export class AppModule {}
