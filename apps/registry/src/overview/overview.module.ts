import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConsumerLagReader, NatsClient } from '@hookline/messaging';
import { ATTEMPT_MODEL, AttemptSchema } from '../delivery-log/delivery-log.schema';
import { DispatchModule } from '../dispatch/dispatch.module';
import { OverviewController } from './overview.controller';
import { OverviewRepository } from './overview.repository';
import { OverviewService } from './overview.service';

/**
 * Figures across a subscription's webhooks, from the delivery log the outcome consumer fills, with
 * the queues between services (from JetStream) and what the dispatcher holds back.
 */
@Module({
  imports: [MongooseModule.forFeature([{ name: ATTEMPT_MODEL, schema: AttemptSchema }]), DispatchModule],
  controllers: [OverviewController],
  providers: [
    OverviewRepository,
    OverviewService,
    { provide: ConsumerLagReader, useFactory: (nats: NatsClient) => new ConsumerLagReader(nats), inject: [NatsClient] },
  ],
})
export class OverviewModule {}
