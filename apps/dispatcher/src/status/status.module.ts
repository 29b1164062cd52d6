import { Module } from '@nestjs/common';
import { BreakerModule } from '../breaker/breaker.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

@Module({
  imports: [BreakerModule, DeliveryModule],
  controllers: [StatusController],
  providers: [StatusService],
})
export class StatusModule {}
