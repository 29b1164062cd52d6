import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PipelineModule } from '../pipeline/pipeline.module';
import { DELIVERY_CLAIM_MODEL, DeliveryClaimRepository, DeliveryClaimSchema } from './delivery-claim.repository';
import { RunOutbox } from './run-outbox';
import { RunController } from './run.controller';
import { RunStateRequestsController } from './run-state-requests.controller';
import { RunRepository } from './run.repository';
import { RUN_MODEL, RunSchema } from './run.schema';
import { RunService } from './run.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: RUN_MODEL, schema: RunSchema },
      { name: DELIVERY_CLAIM_MODEL, schema: DeliveryClaimSchema },
    ]),
    PipelineModule,
  ],
  controllers: [RunController, RunStateRequestsController],
  providers: [RunRepository, DeliveryClaimRepository, RunOutbox, RunService],
  exports: [RunService],
})
export class RunModule {}
