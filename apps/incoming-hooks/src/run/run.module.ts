import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PipelineModule } from '../pipeline/pipeline.module';
import { DELIVERY_CLAIM_MODEL, DeliveryClaimRepository, DeliveryClaimSchema } from './delivery-claim.repository';
import { RunOutbox } from './run-outbox';
import { RunController } from './run.controller';
import { RunStateNatsListener } from './run.nats';
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
  controllers: [RunController],
  providers: [RunRepository, DeliveryClaimRepository, RunOutbox, RunService, RunStateNatsListener],
  exports: [RunService],
})
export class RunModule {}
