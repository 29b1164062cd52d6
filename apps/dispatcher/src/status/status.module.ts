import { Module } from '@nestjs/common';
import { QueuedDeliveries } from '@hookline/messaging';
import { BreakerModule } from '../breaker/breaker.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { ParkingModule } from '../parking/parking.module';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

@Module({
  imports: [BreakerModule, DeliveryModule, ParkingModule],
  controllers: [StatusController],
  providers: [StatusService, QueuedDeliveries],
})
export class StatusModule {}
