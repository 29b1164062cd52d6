import { bootstrapService } from '@hookline/service-kit';
import { AppModule } from './app.module';

void bootstrapService({
  service: 'registry',
  module: AppModule,
  openapi: { title: 'Hookline registry', description: 'Webhook registry (Rally-compatible webhook API), API keys, delivery log.' },
});
