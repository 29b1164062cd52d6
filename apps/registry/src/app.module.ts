import { Module } from '@nestjs/common';
import { DatabaseModule, ServiceKitModule } from '@hookline/service-kit';
import { MessagingModule } from '@hookline/messaging';
import { RegistryConfig } from './config/registry.config';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'registry', config: RegistryConfig }),
    MessagingModule.forRoot({ config: RegistryConfig, url: (config) => config.NATS_URL, streams: ['WEBHOOKS', 'OUTCOMES'] }),
    DatabaseModule.forRoot({ config: RegistryConfig, url: (config) => config.MONGO_URL }),
  ],
})
export class AppModule {}
