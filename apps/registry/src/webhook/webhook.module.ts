import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SecretBox } from '@hookline/auth';
import { RegistryConfig } from '../config/registry.config';
import { DeliveryLogRepository } from './delivery-log.repository';
import {
  ATTEMPT_MODEL,
  AttemptSchema,
  COUNTED_ATTEMPT_MODEL,
  CountedAttemptSchema,
  FAILED_DELIVERY_MODEL,
  FailedDeliverySchema,
} from './delivery-log.schema';
import { DispatcherGateway } from './dispatcher.gateway';
import { WebhookEvents } from './webhook-events';
import { WebhookController } from './webhook.controller';
import { WebhookRepository } from './webhook.repository';
import { WEBHOOK_MODEL, WebhookSchema } from './webhook.schema';
import { WebhookService } from './webhook.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: WEBHOOK_MODEL, schema: WebhookSchema },
      { name: ATTEMPT_MODEL, schema: AttemptSchema },
      { name: FAILED_DELIVERY_MODEL, schema: FailedDeliverySchema },
      { name: COUNTED_ATTEMPT_MODEL, schema: CountedAttemptSchema },
    ]),
  ],
  controllers: [WebhookController],
  providers: [
    WebhookRepository,
    DeliveryLogRepository,
    WebhookEvents,
    DispatcherGateway,
    WebhookService,
    {
      provide: SecretBox,
      inject: [RegistryConfig],
      useFactory: (config: RegistryConfig) => new SecretBox(config.HOOKLINE_ENCRYPTION_KEY),
    },
  ],
  exports: [WebhookRepository, DeliveryLogRepository, WebhookService],
})
export class WebhookModule {}
