import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { MessagingModule } from '@hookline/messaging';
import { DatabaseModule, ServiceKitModule } from '@hookline/service-kit';
import { ApiKeyModule } from './apikey/apikey.module';
import { BmcModule } from './bmc/bmc.module';
import { RegistryConfig } from './config/registry.config';
import { OutcomeModule } from './outcome/outcome.module';
import { OverviewModule } from './overview/overview.module';
import { PortalModule } from './portal/portal.module';
import { UserModule } from './user/user.module';
import { WebhookModule } from './webhook/webhook.module';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'registry', config: RegistryConfig }),
    MessagingModule.forRoot({
      config: RegistryConfig,
      url: (config) => config.NATS_URL,
      streams: ['WEBHOOKS', 'OUTCOMES', 'OUTCOME_BATCHES', 'DELIVERIES'],
    }),
    DatabaseModule.forRoot({ config: RegistryConfig, url: (config) => config.MONGO_URL }),
    AuthModule,
    ApiKeyModule,
    UserModule,
    WebhookModule,
    BmcModule,
    OutcomeModule,
    OverviewModule,
    PortalModule,
  ],
})
export class AppModule {}
