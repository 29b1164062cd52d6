import { Module } from '@nestjs/common';
import { DatabaseModule, ServiceKitModule } from '@hookline/service-kit';
import { IncomingHooksConfig } from './config/incoming-hooks.config';
import { MessagingModule } from '@hookline/messaging';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'incoming-hooks', config: IncomingHooksConfig }),
    MessagingModule.forRoot({ config: IncomingHooksConfig, url: (config) => config.NATS_URL, streams: ['PIPELINES'] }),
    DatabaseModule.forRoot({ config: IncomingHooksConfig, url: (config) => config.MONGO_URL }),
  ],
})
export class AppModule {}
