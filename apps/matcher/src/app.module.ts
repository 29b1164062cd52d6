import { Module } from '@nestjs/common';
import { MessagingModule } from '@hookline/messaging';
import { ServiceKitModule } from '@hookline/service-kit';
import { MatcherConfig } from './config/matcher.config';
import { MatchModule } from './match/match.module';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'matcher', config: MatcherConfig }),
    MessagingModule.forRoot({
      config: MatcherConfig,
      url: (config) => config.NATS_URL,
      streams: ['WEBHOOKS', 'CHANGES', 'DELIVERIES'],
    }),
    MatchModule,
  ],
})
export class AppModule {}
