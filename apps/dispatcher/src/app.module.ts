import { Module } from '@nestjs/common';
import { DispatcherConfig } from './config/dispatcher.config';
import { MessagingModule } from '@hookline/messaging';
import { ServiceKitModule } from '@hookline/service-kit';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'dispatcher', config: DispatcherConfig }),
    MessagingModule.forRoot({ config: DispatcherConfig, url: (config) => config.NATS_URL, streams: ['DELIVERIES', 'OUTCOMES'] }),
  ],
})
export class AppModule {}
