import type { ServiceAppOptions } from '@hookline/service-kit';
import { AppModule } from './app.module';

/** How the gateway is built, shared by main.ts and the integration tests. */
export const TUNNEL_GATEWAY_APP: ServiceAppOptions = {
  service: 'tunnel-gateway',
  module: AppModule,
  openapi: { title: 'Hookline tunnel gateway', description: 'WebSocket tunnel for receivers behind a firewall.' },
};
