import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ATTEMPT_MODEL, AttemptSchema } from '../delivery-log/delivery-log.schema';
import { OverviewController } from './overview.controller';
import { OverviewRepository } from './overview.repository';
import { OverviewService } from './overview.service';

/** Figures across a subscription's webhooks, from the delivery log the outcome consumer fills. */
@Module({
  imports: [MongooseModule.forFeature([{ name: ATTEMPT_MODEL, schema: AttemptSchema }])],
  controllers: [OverviewController],
  providers: [OverviewRepository, OverviewService],
})
export class OverviewModule {}
