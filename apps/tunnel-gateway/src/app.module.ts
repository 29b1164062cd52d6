import { Module } from '@nestjs/common';
import { MessagingModule } from '@hookline/messaging';
import { ServiceKitModule } from '@hookline/service-kit';
import { TunnelGatewayConfig } from './config/tunnel-gateway.config';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'tunnel-gateway', config: TunnelGatewayConfig }),
    MessagingModule.forRoot({ config: TunnelGatewayConfig, url: (config) => config.NATS_URL, streams: [] }),
  ],
})
export class AppModule {}
