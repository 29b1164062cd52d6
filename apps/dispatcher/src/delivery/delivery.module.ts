import { Module } from '@nestjs/common';
import { DeliveryAttemptsBucket } from '@hookline/messaging';
import { BlocklistModule } from '../blocklist/blocklist.module';
import { BreakerModule } from '../breaker/breaker.module';
import { GoneModule } from '../gone/gone.module';
import { SignInModule } from '../sign-in/sign-in.module';
import { ParkingModule } from '../parking/parking.module';
import { TunnelModule } from '../tunnel/tunnel.module';
import { DeliveryController } from './delivery.controller';
import { DeliveryService } from './delivery.service';
import { HttpSender } from './http-sender.service';
import { OutcomePublisher } from './outcome.publisher';

@Module({
  imports: [BlocklistModule, BreakerModule, GoneModule, ParkingModule, SignInModule, TunnelModule],
  controllers: [DeliveryController],
  providers: [DeliveryAttemptsBucket, OutcomePublisher, HttpSender, DeliveryService],
  exports: [DeliveryService],
})
export class DeliveryModule {}
