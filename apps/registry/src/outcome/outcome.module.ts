import { Module } from '@nestjs/common';
import { DeliveryLogModule } from '../delivery-log/delivery-log.module';
import { WebhookModule } from '../webhook/webhook.module';
import { OutcomeController } from './outcome.controller';
import { OutcomeService } from './outcome.service';

@Module({
  imports: [WebhookModule, DeliveryLogModule],
  controllers: [OutcomeController],
  providers: [OutcomeService],
})
export class OutcomeModule {}
