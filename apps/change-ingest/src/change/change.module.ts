import { Module } from '@nestjs/common';
import { ChangeController } from './change.controller';
import { ChangeRequestsController } from './change-requests.controller';
import { ChangeService } from './change.service';

@Module({
  controllers: [ChangeController, ChangeRequestsController],
  providers: [ChangeService],
})
export class ChangeModule {}
