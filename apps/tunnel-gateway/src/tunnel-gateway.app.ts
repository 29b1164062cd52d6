import { loadConfig, type ServiceAppOptions } from '@hookline/service-kit';
import { AppModule } from './app.module';
import { tlsPairOf } from './config/tls';
import { TunnelGatewayConfig } from './config/tunnel-gateway.config';

/** How the gateway is built, shared by main.ts and the integration tests. */
export const TUNNEL_GATEWAY_APP: ServiceAppOptions = {
  service: 'tunnel-gateway',
  module: AppModule,
  openapi: { title: 'Hookline tunnel gateway', description: 'WebSocket tunnel for receivers behind a firewall.' },
  // Read ahead of the module's own (identical) config load: the server exists before the module
  // does. The files are read once, by the first load's check (see tlsPairOf).
  tls: () => tlsPairOf(loadConfig('tunnel-gateway', TunnelGatewayConfig)),
};
