import { bootstrapService } from '@hookline/service-kit';
import { AppModule } from './app.module';

void bootstrapService({
  service: 'change-ingest',
  module: AppModule,
  openapi: {
    title: 'Hookline change-ingest',
    description: 'Accepts create/update/delete events from business systems and publishes change messages.',
  },
});
