import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DeliveryLogRepository } from './delivery-log.repository';
import {
  ATTEMPT_MODEL,
  AttemptSchema,
  COUNTED_ATTEMPT_MODEL,
  CountedAttemptSchema,
  FAILED_DELIVERY_MODEL,
  FailedDeliverySchema,
} from './delivery-log.schema';

/** Each webhook's attempts and failed deliveries, as the outcomes record them and the webhook API reads them. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ATTEMPT_MODEL, schema: AttemptSchema },
      { name: FAILED_DELIVERY_MODEL, schema: FailedDeliverySchema },
      { name: COUNTED_ATTEMPT_MODEL, schema: CountedAttemptSchema },
    ]),
  ],
  providers: [DeliveryLogRepository],
  exports: [DeliveryLogRepository],
})
export class DeliveryLogModule {}
