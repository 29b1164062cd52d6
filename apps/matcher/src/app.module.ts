import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { MessagingModule } from '@hookline/messaging';
import { DatabaseModule, ServiceKitModule } from '@hookline/service-kit';
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
    // API keys and user sessions (the registry's), which authenticate dry runs.
    DatabaseModule.forRoot({ config: MatcherConfig, url: (config) => config.MONGO_URL }),
    AuthModule,
    MatchModule,
  ],
})
export class AppModule {}
