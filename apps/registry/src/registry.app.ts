import type { ServiceAppOptions } from '@hookline/service-kit';
import { AppModule } from './app.module';

/** How the registry is built, shared by main.ts and the integration tests. */
export const REGISTRY_APP: ServiceAppOptions = {
  service: 'registry',
  module: AppModule,
  openapi: {
    title: 'Hookline registry',
    description: 'Webhook registry (Rally-compatible webhook API), API keys, delivery log.',
  },
};
