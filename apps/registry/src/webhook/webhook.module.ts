import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SecretBox } from '@hookline/auth';
import { RegistryConfig } from '../config/registry.config';
import { DeliveryLogModule } from '../delivery-log/delivery-log.module';
import { DispatchModule } from '../dispatch/dispatch.module';
import { WebhookEvents } from './webhook-events';
import { WebhookController } from './webhook.controller';
import { WebhookRepository } from './webhook.repository';
import { WEBHOOK_MODEL, WebhookSchema } from './webhook.schema';
import { WebhookService } from './webhook.service';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: WEBHOOK_MODEL, schema: WebhookSchema }]),
    DeliveryLogModule,
    DispatchModule,
  ],
  controllers: [WebhookController],
  providers: [
    WebhookRepository,
    WebhookEvents,
    WebhookService,
    {
      provide: SecretBox,
      inject: [RegistryConfig],
      useFactory: (config: RegistryConfig) => new SecretBox(config.HOOKLINE_ENCRYPTION_KEY),
    },
  ],
  exports: [WebhookRepository, WebhookService],
})
export class WebhookModule {}
