import { Module } from '@nestjs/common';
import { DeliveryLogModule } from '../delivery-log/delivery-log.module';
import { WebhookModule } from '../webhook/webhook.module';
import { OutcomeConsumer } from './outcome.consumer';
import { OutcomeService } from './outcome.service';

@Module({
  imports: [WebhookModule, DeliveryLogModule],
  providers: [OutcomeService, OutcomeConsumer],
})
export class OutcomeModule {}
