import { Module } from '@nestjs/common';
import { WebhookEventsFeed } from '@hookline/messaging';
import { WebhookIndexService } from '../index/webhook-index.service';
import { AdminKeyGuard } from './admin-key.guard';
import { ChangesConsumer } from './changes.consumer';
import { MatchController } from './match.controller';
import { MatchService } from './match.service';

@Module({
  controllers: [MatchController],
  providers: [WebhookIndexService, WebhookEventsFeed, MatchService, ChangesConsumer, AdminKeyGuard],
})
export class MatchModule {}
