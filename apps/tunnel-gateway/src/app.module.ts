import { Module } from '@nestjs/common';
import { AuthModule } from '@hookline/auth';
import { MessagingModule } from '@hookline/messaging';
import { DatabaseModule, ServiceKitModule } from '@hookline/service-kit';
import { TunnelGatewayConfig } from './config/tunnel-gateway.config';
import { TunnelModule } from './tunnel/tunnel.module';

@Module({
  imports: [
    ServiceKitModule.forRoot({ service: 'tunnel-gateway', config: TunnelGatewayConfig }),
    MessagingModule.forRoot({ config: TunnelGatewayConfig, url: (config) => config.NATS_URL, streams: [] }),
    DatabaseModule.forRoot({ config: TunnelGatewayConfig, url: (config) => config.MONGO_URL }),
    AuthModule,
    TunnelModule,
  ],
})
export class AppModule {}
