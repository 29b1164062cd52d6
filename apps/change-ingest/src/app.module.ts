import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { MessagingModule } from '@hookline/messaging';
import { DatabaseModule, ServiceKitModule } from '@hookline/service-kit';
import { ChangeModule } from './change/change.module';
import { ChangeIngestConfig } from './config/change-ingest.config';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'change-ingest', config: ChangeIngestConfig }),
    MessagingModule.forRoot({ config: ChangeIngestConfig, url: (config) => config.NATS_URL, streams: ['CHANGES'] }),
    DatabaseModule.forRoot({ config: ChangeIngestConfig, url: (config) => config.MONGO_URL }),
    AuthModule,
    ChangeModule,
  ],
})
export class AppModule {}
