import { Module } from '@nestjs/common';
import { DispatcherGateway } from './dispatcher.gateway';

/** The registry's link to the dispatcher: replays and test deliveries go out as delivery jobs. */
@Module({
  providers: [DispatcherGateway],
  exports: [DispatcherGateway],
})
export class DispatchModule {}
