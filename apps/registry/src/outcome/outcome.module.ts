import { Module } from '@nestjs/common';
import { WebhookModule } from '../webhook/webhook.module';
import { OutcomeConsumer } from './outcome.consumer';
import { OutcomeService } from './outcome.service';

@Module({
  imports: [WebhookModule],
  providers: [OutcomeService, OutcomeConsumer],
})
export class OutcomeModule {}
