import { Module } from '@nestjs/common';
import { ChangeController } from './change.controller';
import { ChangeNatsListener } from './change.nats';
import { ChangeService } from './change.service';

@Module({
  controllers: [ChangeController],
  providers: [ChangeService, ChangeNatsListener],
})
export class ChangeModule {}
