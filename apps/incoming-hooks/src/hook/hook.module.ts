import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SecretBox } from '@hookline/auth';
import { IncomingHooksConfig } from '../config/incoming-hooks.config';
import { PipelineModule } from '../pipeline/pipeline.module';
import { HookController } from './hook.controller';
import { HookRepository } from './hook.repository';
import { HOOK_MODEL, HookSchema } from './hook.schema';
import { HookService } from './hook.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: HOOK_MODEL, schema: HookSchema }]), PipelineModule],
  controllers: [HookController],
  providers: [
    HookRepository,
    HookService,
    {
      provide: SecretBox,
      inject: [IncomingHooksConfig],
      useFactory: (config: IncomingHooksConfig) => new SecretBox(config.HOOKLINE_ENCRYPTION_KEY),
    },
  ],
  exports: [HookRepository, HookService],
})
export class HookModule {}
