import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { MessagingModule } from '@hookline/messaging';
import { DatabaseModule, ServiceKitModule } from '@hookline/service-kit';
import { IncomingHooksConfig } from './config/incoming-hooks.config';
import { HookReceiverModule } from './hook-receiver/hook-receiver.module';
import { HookModule } from './hook/hook.module';
import { PipelineModule } from './pipeline/pipeline.module';
import { RunModule } from './run/run.module';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'incoming-hooks', config: IncomingHooksConfig }),
    MessagingModule.forRoot({ config: IncomingHooksConfig, url: (config) => config.NATS_URL, streams: ['PIPELINES'] }),
    DatabaseModule.forRoot({ config: IncomingHooksConfig, url: (config) => config.MONGO_URL }),
    AuthModule,
    PipelineModule,
    HookModule,
    RunModule,
    HookReceiverModule,
  ],
})
export class AppModule {}
