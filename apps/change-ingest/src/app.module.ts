import { Module } from '@nestjs/common';
import { ChangeIngestConfig } from './config/change-ingest.config';
import { MessagingModule } from '@hookline/messaging';
import { ServiceKitModule } from '@hookline/service-kit';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'change-ingest', config: ChangeIngestConfig }),
    MessagingModule.forRoot({ config: ChangeIngestConfig, url: (config) => config.NATS_URL, streams: ['CHANGES'] }),
  ],
})
export class AppModule {}
