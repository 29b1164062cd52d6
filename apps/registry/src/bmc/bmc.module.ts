import { Module } from '@nestjs/common';
import { WebhookModule } from '../webhook/webhook.module';
import { BmcController } from './bmc.controller';
import { BmcService } from './bmc.service';

/** BMC Helix's webhook definition API over the registry's webhooks. */
@Module({
  imports: [WebhookModule],
  controllers: [BmcController],
  providers: [BmcService],
})
export class BmcModule {}
