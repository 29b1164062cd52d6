import { Module } from '@nestjs/common';
import { MatcherConfig } from './config/matcher.config';
import { MessagingModule } from '@hookline/messaging';
import { ServiceKitModule } from '@hookline/service-kit';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'matcher', config: MatcherConfig }),
    MessagingModule.forRoot({ config: MatcherConfig, url: (config) => config.NATS_URL, streams: ['WEBHOOKS', 'CHANGES', 'DELIVERIES'] }),
  ],
})
export class AppModule {}
