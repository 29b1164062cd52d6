import { Module } from '@nestjs/common';
import { QueuedDeliveries } from '@hookline/messaging';
import { BlocklistModule } from '../blocklist/blocklist.module';
import { BreakerModule } from '../breaker/breaker.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { ParkingModule } from '../parking/parking.module';
import { StatusController } from './status.controller';
import { StatusRequestsController } from './status-requests.controller';
import { StatusService } from './status.service';

@Module({
  imports: [BlocklistModule, BreakerModule, DeliveryModule, ParkingModule],
  controllers: [StatusController, StatusRequestsController],
  providers: [StatusService, QueuedDeliveries],
})
export class StatusModule {}
