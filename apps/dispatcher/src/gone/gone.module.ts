import { Module } from '@nestjs/common';
import { GoneWebhooks } from './gone-webhooks.service';

@Module({ providers: [GoneWebhooks], exports: [GoneWebhooks] })
export class GoneModule {}
