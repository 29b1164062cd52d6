import { Module } from '@nestjs/common';
import { WebhookEventsFeed } from '@hookline/messaging';
import { WebhookIndexService } from '../index/webhook-index.service';
import { AdminKeyGuard } from './admin-key.guard';
import { ChangesController } from './changes.controller';
import { MatchController } from './match.controller';
import { MatchService } from './match.service';

@Module({
  controllers: [MatchController, ChangesController],
  providers: [WebhookIndexService, WebhookEventsFeed, MatchService, AdminKeyGuard],
})
export class MatchModule {}
