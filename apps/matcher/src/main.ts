import { bootstrapService } from '@hookline/service-kit';
import { AppModule } from './app.module';

void bootstrapService({
  service: 'matcher',
  module: AppModule,
  openapi: {
    title: 'Hookline matcher',
    description: 'Evaluates webhooks against change messages (dry runs and index status).',
  },
});
