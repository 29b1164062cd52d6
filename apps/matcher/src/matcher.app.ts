import type { ServiceAppOptions } from '@hookline/service-kit';
import { AppModule } from './app.module';

/** How the matcher is built, shared by main.ts and the integration tests. */
export const MATCHER_APP: ServiceAppOptions = {
  service: 'matcher',
  module: AppModule,
  openapi: {
    title: 'Hookline matcher',
    description: 'Evaluates webhooks against change messages (dry runs and index status).',
  },
};
