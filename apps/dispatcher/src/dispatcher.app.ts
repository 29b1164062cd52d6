import type { ServiceAppOptions } from '@hookline/service-kit';
import { AppModule } from './app.module';

/** How the dispatcher is built, shared by main.ts, the integration tests and the benchmark. */
export const DISPATCHER_APP: ServiceAppOptions = {
  service: 'dispatcher',
  module: AppModule,
  openapi: {
    title: 'Hookline dispatcher',
    description: 'Delivers webhook payloads with retries, circuit breakers and signatures.',
  },
};
