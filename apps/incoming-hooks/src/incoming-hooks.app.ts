import type { ServiceAppOptions } from '@hookline/service-kit';
import { AppModule } from './app.module';

/** How the service is built, shared by main.ts and the integration tests. */
export const INCOMING_HOOKS_APP: ServiceAppOptions = {
  service: 'incoming-hooks',
  module: AppModule,
  openapi: {
    title: 'Hookline incoming hooks',
    description: 'Pipelines, HMAC-validated incoming hook URLs that trigger pipeline runs, and run states.',
  },
};
