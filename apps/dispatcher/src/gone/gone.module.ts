import { Module } from '@nestjs/common';
import { GoneWebhooksBucket } from '@hookline/messaging';
import { GoneWebhooks } from './gone-webhooks.service';

@Module({ providers: [GoneWebhooks, GoneWebhooksBucket], exports: [GoneWebhooks] })
export class GoneModule {}
