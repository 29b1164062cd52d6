import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { HookModule } from '../hook/hook.module';
import { RunModule } from '../run/run.module';
import { HookReceiverController } from './hook-receiver.controller';
import { HookReceiverService } from './hook-receiver.service';
import { RATE_WINDOW_MODEL, RateLimitRepository, RateWindowSchema } from './rate-limit.repository';
import { RawHookBody } from './raw-hook-body';

@Module({
  imports: [MongooseModule.forFeature([{ name: RATE_WINDOW_MODEL, schema: RateWindowSchema }]), HookModule, RunModule],
  controllers: [HookReceiverController],
  providers: [RawHookBody, RateLimitRepository, HookReceiverService],
})
export class HookReceiverModule {}
