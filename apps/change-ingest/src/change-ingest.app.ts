import type { ServiceAppOptions } from '@hookline/service-kit';
import { AppModule } from './app.module';

/** How change-ingest is built, shared by main.ts and the integration tests. */
export const CHANGE_INGEST_APP: ServiceAppOptions = {
  service: 'change-ingest',
  module: AppModule,
  openapi: {
    title: 'Hookline change-ingest',
    description: 'Accepts create/update/delete events from business systems and publishes change messages.',
  },
};
